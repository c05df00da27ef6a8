// The expected strings were printed by PyTorch 1.13 (/usr/bin/python3 with python3-torch):
// "torch:" names the tensor t, and the string is repr(t). format_values(a, 7) must be exactly what
// torch prints between "tensor(" and ")".
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "ember/core/format.h"

using ember::core::format_values;
using ember::core::NDArray;
using ember::core::Shape;

namespace {

std::string as_torch(const NDArray& a) { return "tensor(" + format_values(a, 7) + ")"; }

NDArray arange_over(int64_t n, float divisor, const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i) / divisor;
  return NDArray::from_vector(v, shape);
}

}  // namespace

TEST_CASE("fractions print with 4 decimals, one row a line") {
  // torch: torch.tensor([[0.1, 0.2], [0.3, 0.4]])
  CHECK(as_torch(NDArray::from_vector({0.1f, 0.2f, 0.3f, 0.4f}, {2, 2})) ==
        "tensor([[0.1000, 0.2000],\n"
        "        [0.3000, 0.4000]])");
  // torch: torch.tensor(3.25)
  CHECK(as_torch(NDArray::scalar(3.25f)) == "tensor(3.2500)");
}

TEST_CASE("whole numbers print as '2.', right-aligned to one width") {
  // torch: torch.tensor([1., -2., 30.])
  CHECK(as_torch(NDArray::from_vector({1, -2, 30}, {3})) == "tensor([ 1., -2., 30.])");
  // torch: torch.zeros(2, 2)
  CHECK(as_torch(NDArray::zeros({2, 2})) ==
        "tensor([[0., 0.],\n"
        "        [0., 0.]])");
}

TEST_CASE("scientific notation when the magnitudes span more than 1000 or go below 1e-4") {
  // torch: torch.tensor([1e-5, 1.0, 1000.0])
  CHECK(as_torch(NDArray::from_vector({1e-5f, 1.0f, 1000.0f}, {3})) ==
        "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])");
  // torch: torch.tensor([1., 2000.])
  CHECK(as_torch(NDArray::from_vector({1.0f, 2000.0f}, {2})) ==
        "tensor([1.0000e+00, 2.0000e+03])");
}

TEST_CASE("nan and inf take the width of the other values") {
  // torch: torch.tensor([float('nan'), -1.5, float('inf'), 0.0])
  CHECK(as_torch(NDArray::from_vector({NAN, -1.5f, INFINITY, 0.0f}, {4})) ==
        "tensor([    nan, -1.5000,     inf,  0.0000])");
}

TEST_CASE("a blank line between blocks of a 3-d array") {
  // torch: torch.arange(24.).reshape(2, 3, 4) / 8
  CHECK(as_torch(arange_over(24, 8.0f, {2, 3, 4})) ==
        "tensor([[[0.0000, 0.1250, 0.2500, 0.3750],\n"
        "         [0.5000, 0.6250, 0.7500, 0.8750],\n"
        "         [1.0000, 1.1250, 1.2500, 1.3750]],\n"
        "\n"
        "        [[1.5000, 1.6250, 1.7500, 1.8750],\n"
        "         [2.0000, 2.1250, 2.2500, 2.3750],\n"
        "         [2.5000, 2.6250, 2.7500, 2.8750]]])");
}

TEST_CASE("long rows wrap at 80 columns") {
  // torch: torch.arange(30.) / 3
  CHECK(as_torch(arange_over(30, 3.0f, {30})) ==
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
        "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
        "        9.0000, 9.3333, 9.6667])");
}

TEST_CASE("beyond 1000 elements each dim shows 3 entries at each end") {
  // torch: torch.arange(1001.)
  CHECK(as_torch(arange_over(1001, 1.0f, {1001})) ==
        "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])");
  // torch: torch.arange(2000.).reshape(40, 50) / 7 (the notation is chosen from the shown values)
  CHECK(as_torch(arange_over(2000, 7.0f, {40, 50})) ==
        "tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 6.7143e+00, 6.8571e+00,\n"
        "         7.0000e+00],\n"
        "        [7.1429e+00, 7.2857e+00, 7.4286e+00,  ..., 1.3857e+01, 1.4000e+01,\n"
        "         1.4143e+01],\n"
        "        [1.4286e+01, 1.4429e+01, 1.4571e+01,  ..., 2.1000e+01, 2.1143e+01,\n"
        "         2.1286e+01],\n"
        "        ...,\n"
        "        [2.6429e+02, 2.6443e+02, 2.6457e+02,  ..., 2.7100e+02, 2.7114e+02,\n"
        "         2.7129e+02],\n"
        "        [2.7143e+02, 2.7157e+02, 2.7171e+02,  ..., 2.7814e+02, 2.7829e+02,\n"
        "         2.7843e+02],\n"
        "        [2.7857e+02, 2.7871e+02, 2.7886e+02,  ..., 2.8529e+02, 2.8543e+02,\n"
        "         2.8557e+02]])");
}

TEST_CASE("a strided view prints its own elements") {
  const NDArray a = NDArray::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(as_torch(a.transpose(0, 1)) ==
        "tensor([[1., 4.],\n"
        "        [2., 5.],\n"
        "        [3., 6.]])");
}

// NDArray prints as torch would with "array(" for "tensor(" and ember's shape suffix, placed by
// torch's rule: torch._tensor_str._add_suffixes("array(" + torch._tensor_str._tensor_str(t, 6),
// ["shape=" + str(tuple(t.shape))], 6, False).
TEST_CASE("an NDArray prints with its shape through operator<< and fmt") {
  const NDArray a = NDArray::from_vector({1, 2}, {2});
  std::ostringstream out;
  out << a;
  CHECK(out.str() == "array([1., 2.], shape=(2,))");
  CHECK(fmt::format("{}", a) == out.str());
  CHECK(fmt::format("{}", NDArray::zeros({0, 3})) == "array([], shape=(0, 3))");
  CHECK(fmt::format("{}", NDArray()) == "array(undefined)");
  // torch: t = torch.arange(2000.).reshape(40, 50) / 7
  CHECK(fmt::format("{}", arange_over(2000, 7.0f, {40, 50})) ==
        "array([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 6.7143e+00, 6.8571e+00,\n"
        "        7.0000e+00],\n"
        "       [7.1429e+00, 7.2857e+00, 7.4286e+00,  ..., 1.3857e+01, 1.4000e+01,\n"
        "        1.4143e+01],\n"
        "       [1.4286e+01, 1.4429e+01, 1.4571e+01,  ..., 2.1000e+01, 2.1143e+01,\n"
        "        2.1286e+01],\n"
        "       ...,\n"
        "       [2.6429e+02, 2.6443e+02, 2.6457e+02,  ..., 2.7100e+02, 2.7114e+02,\n"
        "        2.7129e+02],\n"
        "       [2.7143e+02, 2.7157e+02, 2.7171e+02,  ..., 2.7814e+02, 2.7829e+02,\n"
        "        2.7843e+02],\n"
        "       [2.7857e+02, 2.7871e+02, 2.7886e+02,  ..., 2.8529e+02, 2.8543e+02,\n"
        "        2.8557e+02]], shape=(40, 50))");
}
