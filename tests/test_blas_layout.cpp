#include <doctest/doctest.h>

#include "ember/core/blas_layout.h"
#include "ember/core/random.h"

using namespace ember::core;

namespace {

bool same_storage(const BlasMatrix& m, const NDArray& x) { return m.array.data() == x.data(); }

}  // namespace

TEST_CASE("a row-major view is read where it lies, with its row stride") {
  Generator gen(1);
  const NDArray x = gen.normal({2, 3, 12});
  const BlasMatrix whole = blas_matrix(x);
  CHECK(same_storage(whole, x));
  CHECK(!whole.trans);
  CHECK(whole.ld == 12);
  const NDArray slice = x.narrow(2, 4, 4);  // the columns of one third of a packed projection
  const BlasMatrix m = blas_matrix(slice, false);
  CHECK(same_storage(m, slice));
  CHECK(!m.trans);
  CHECK(m.ld == 12);
  const NDArray row = x.narrow(1, 1, 1).narrow(2, 0, 5);  // one row: any row stride will do
  CHECK(blas_matrix(row).ld == 5);
}

TEST_CASE("a transposed view is read as a transpose unless row-major is asked for") {
  Generator gen(2);
  const NDArray x = gen.normal({4, 6});
  const NDArray t = x.transpose(0, 1);  // (6, 4), row stride 1, column stride 6
  const BlasMatrix m = blas_matrix(t);
  CHECK(same_storage(m, t));
  CHECK(m.trans);
  CHECK(m.ld == 6);
  const BlasMatrix r = blas_matrix(t, false);
  CHECK(!same_storage(r, t));
  CHECK(!r.trans);
  CHECK(r.ld == 4);
  CHECK(r.array.to_vector() == t.contiguous().to_vector());
}

TEST_CASE("a view BLAS cannot read is copied to a contiguous array") {
  Generator gen(3);
  const NDArray x = gen.normal({4, 6});
  const NDArray strided = x.reshape({4, 3, 2}).select(2, 0);     // (4, 3): strides (6, 2)
  const NDArray transposed = x.narrow(1, 0, 5).transpose(0, 1);  // (5, 4): strides (1, 6)
  for (const NDArray& v : {strided, transposed}) {
    const BlasMatrix m = blas_matrix(v, false);
    CHECK(m.array.is_contiguous());
    CHECK(m.ld == v.size(1));
    CHECK(m.array.to_vector() == v.contiguous().to_vector());
  }
  const BlasMatrix s = blas_matrix(strided);  // neither unit stride: copied even with transposes
  CHECK(!same_storage(s, strided));
  CHECK(!s.trans);
}
