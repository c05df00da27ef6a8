#include <doctest/doctest.h>

#include <sstream>

#include "ember/ember.h"

using namespace ember;

TEST_CASE("a leaf that requires grad receives its gradient") {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3}, true);
  CHECK(x.is_leaf());
  CHECK_FALSE(x.grad().defined());
  Tensor y = (x * x).sum();  // dy/dx = 2x
  CHECK_FALSE(y.is_leaf());
  CHECK(y.requires_grad());
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<float>{2, 4, 6});
}

TEST_CASE("gradients accumulate across backward passes until zero_grad") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  (x * 3.0f).sum().backward();
  (x * 3.0f).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{6, 6});
  x.zero_grad();
  (x * 1.0f).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{1, 1});
}

TEST_CASE("backward with an explicit upstream gradient") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor y = x * 2.0f;
  y.backward(NDArray::from_vector({10, 100}, {2}));
  CHECK(x.grad().to_vector() == std::vector<float>{20, 200});
}

TEST_CASE("backward errors") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(), doctest::Contains("[backward] without an upstream"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::ones({1}).backward(), doctest::Contains("does not require grad"),
                       Error);
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(NDArray::ones({3})),
                       doctest::Contains("[backward] upstream gradient of shape (3,)"), Error);
  CHECK_THROWS_WITH_AS((x * 2.0f).set_requires_grad(false), doctest::Contains("only leaves"), Error);
  CHECK_THROWS_WITH_AS(Tensor().shape(), doctest::Contains("undefined tensor"), Error);
}

TEST_CASE("detach cuts the history but shares the values") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor d = (x * 2.0f).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.to_vector() == std::vector<float>{2, 4});
  Tensor y = (d * x).sum();
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<float>{2, 4});
}

TEST_CASE("method forms match the free functions") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  CHECK(x.reshape({3, 2}).shape() == Shape{3, 2});
  CHECK(x.transpose(0, 1).shape() == Shape{3, 2});
  CHECK(x.permute({1, 0}).to_vector() == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(x.narrow(1, 1, 2).shape() == Shape{2, 2});
  CHECK(x.select(0, 1).to_vector() == std::vector<float>{4, 5, 6});
  CHECK(x.unsqueeze(0).squeeze(0).shape() == Shape{2, 3});
  CHECK(x.sum({1}).to_vector() == std::vector<float>{6, 15});
  CHECK(x.mean().item() == 3.5f);
  CHECK(x.unsqueeze(0).expand({4, 2, 3}).contiguous().numel() == 24);
  CHECK(Tensor::full({2}, 3.0f).to_vector() == std::vector<float>{3, 3});
  CHECK(Tensor::rand({100}).data().to_vector() != Tensor::rand({100}).data().to_vector());
}

TEST_CASE("factories refuse shapes past 2^63 - 1 elements") {
  const int64_t big = int64_t{1} << 40;
  CHECK_THROWS_WITH_AS(Tensor::zeros({big, big}), doctest::Contains("has more than 2^63 - 1 elements"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::randn({big, big}), doctest::Contains("(1099511627776, 1099511627776)"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::full({-2, -3}, 1.0f), doctest::Contains("negative size"), Error);
}

// Expected strings: torch's repr with ember's suffixes, placed by torch's rule, printed by
// PyTorch 1.13 as torch._tensor_str._add_suffixes("tensor(" + torch._tensor_str._tensor_str(t, 7),
// ["shape=" + str(tuple(t.shape))] + suffixes, 7, False), where suffixes is
// ["requires_grad=True"] or ["grad_fn=<op>"] with ember's op name.
TEST_CASE("a tensor prints as PyTorch's repr with its shape, requires_grad and grad_fn") {
  const Tensor x = Tensor::from_vector({0.1f, 0.2f, 0.3f, 0.4f}, {2, 2}, true);
  std::ostringstream out;
  out << x;
  CHECK(out.str() ==
        "tensor([[0.1000, 0.2000],\n"
        "        [0.3000, 0.4000]], shape=(2, 2), requires_grad=True)");
  CHECK(fmt::format("{}", x) == out.str());
  // t = torch.tensor(0.5)
  CHECK(fmt::format("{}", (x * 0.5f).sum()) == "tensor(0.5000, shape=(), grad_fn=<sum>)");
  // t = torch.arange(20.).reshape(2, 10) / 3: the suffixes move to a new line past column 80
  std::vector<float> values(20), identity(100, 0.0f);
  for (int i = 0; i < 20; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i) / 3.0f;
  for (int i = 0; i < 10; ++i) identity[static_cast<size_t>(i * 11)] = 1.0f;
  const Tensor a = Tensor::from_vector(values, {2, 10}, true);
  CHECK(fmt::format("{}", matmul(a, Tensor::from_vector(identity, {10, 10}))) ==
        "tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "         3.0000],\n"
        "        [3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667, 6.0000,\n"
        "         6.3333]], shape=(2, 10), grad_fn=<matmul>)");
  // t = torch.zeros(0, 3)
  CHECK(fmt::format("{}", Tensor::zeros({0, 3})) == "tensor([], shape=(0, 3))");
  CHECK(fmt::format("{}", Tensor()) == "tensor(undefined)");
}

TEST_CASE("the README's first program prints what the README shows") {
  core::manual_seed(0);  // the default generator's seed when a program starts
  Tensor x = Tensor::randn({8, 3});
  Tensor w = Tensor::randn({1, 3}, /*requires_grad=*/true);
  Tensor b = Tensor::zeros({1}, true);
  Tensor target = Tensor::ones({8, 1});
  Tensor loss = mean(pow(linear(x, w, b) - target, 2.0f));
  loss.backward();
  std::ostringstream out;
  out << loss << "\n" << w.grad() << "\n";
  CHECK(out.str() ==
        "tensor(17.8836, shape=(), grad_fn=<mean>)\n"
        "array([[-18.7170,   3.1420,   3.4651]], shape=(1, 3))\n");
}
