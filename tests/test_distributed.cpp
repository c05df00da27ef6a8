// ember::distributed: collectives and DataParallel. CTest runs this file alone (world size 1) and
// under mpiexec on 2 and 3 ranks (tests/CMakeLists.txt); every case holds for any world size.
#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/reduction.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/distributed/collectives.h"
#include "ember/distributed/data_parallel.h"
#include "ember/layers/linear.h"
#include "support/check.h"

using namespace ember;
namespace dist = ember::distributed;

namespace {

const dist::Session session;  // MPI for the whole executable when mpiexec started it

const int kRank = dist::rank();
const int kWorld = dist::world_size();

class Mlp : public nn::Module {
 public:
  Mlp() {
    l1_ = register_module("l1", std::make_shared<nn::Linear>(4, 8));
    l2_ = register_module("l2", std::make_shared<nn::Linear>(8, 3));
  }
  Tensor forward(const Tensor& x) const { return l2_->forward(tanh(l1_->forward(x))); }

 private:
  std::shared_ptr<nn::Linear> l1_, l2_;
};

// 7 rows: 7 over 2 or 3 ranks is uneven (and 2 rows over 3 leaves one rank none).
Tensor batch(int64_t rows) {
  std::vector<float> v(rows * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.7f * static_cast<float>(i));
  return Tensor::from_vector(v, {rows, 4});
}

// Sum of squared outputs over `x`'s rows divided by all rows of the batch: each rank's share
// weighted by its rows, so that the sum over ranks is the whole batch's mean.
Tensor loss_of(const Mlp& m, const Tensor& x, int64_t batch_rows) {
  const Tensor y = m.forward(x);
  return sum(y * y) * (1.0f / static_cast<float>(batch_rows));
}

std::pair<int64_t, int64_t> share(int64_t rows) {  // [begin, end) of this rank's rows
  return {rows * kRank / kWorld, rows * (kRank + 1) / kWorld};
}

void check_data_parallel_gradient(int64_t rows, dist::DataParallelOptions options, bool overlap) {
  core::manual_seed(100 + kRank);  // a different initialisation on every rank
  Mlp model;
  options.reduction = dist::DataParallelOptions::Reduction::kSum;
  dist::DataParallel ddp(model, options);
  // After the broadcast every rank holds rank 0's parameters.
  for (const auto& [name, p] : model.named_parameters()) {
    const core::NDArray all = dist::all_gather(p.data());
    for (int r = 0; r < kWorld; ++r)
      CHECK(testing::max_abs_diff(all.select(0, r), p.data()) == 0.0f);
  }
  // The reference: the whole batch on one model with the same parameters.
  Mlp whole;
  whole.load_state_dict(model.state_dict());
  loss_of(whole, batch(rows), rows).backward();

  const auto [begin, end] = share(rows);
  for (int step = 0; step < 2; ++step) {  // twice: the buckets are reused
    model.zero_grad();
    if (end > begin) {
      const Tensor loss = loss_of(model, narrow(batch(rows), 0, begin, end - begin), rows);
      if (overlap) {
        ddp.backward(loss);
      } else {
        loss.backward();
        ddp.reduce_gradients();
      }
    } else {
      ddp.reduce_gradients();  // no rows here: zeros
    }
    const auto mine = model.named_parameters(), want = whole.named_parameters();
    for (size_t k = 0; k < mine.size(); ++k) {
      INFO(mine[k].first);
      REQUIRE(mine[k].second.grad().defined());
      testing::check_close(mine[k].second.grad(), want[k].second.grad(), 1e-5f);
    }
  }
}

}  // namespace

TEST_CASE("all_reduce sums, maxes and mins over the ranks") {
  std::vector<float> f{static_cast<float>(kRank + 1), 1.0f};
  dist::all_reduce(f);
  CHECK(f[0] == static_cast<float>(kWorld * (kWorld + 1) / 2));
  CHECK(f[1] == static_cast<float>(kWorld));
  std::vector<double> d{static_cast<double>(kRank)};
  dist::all_reduce(d, dist::ReduceOp::kMax);
  CHECK(d[0] == kWorld - 1);
  std::vector<int64_t> i{int64_t{10} - kRank};
  dist::all_reduce(i, dist::ReduceOp::kMin);
  CHECK(i[0] == 10 - (kWorld - 1));
  const core::NDArray a = core::NDArray::full({2, 3}, static_cast<float>(kRank));
  dist::all_reduce(a);
  CHECK(a.at({1, 2}) == static_cast<float>(kWorld * (kWorld - 1) / 2));
}

TEST_CASE("broadcast gives every rank the root's values and text") {
  const int root = kWorld - 1;
  std::vector<float> v{static_cast<float>(kRank), static_cast<float>(kRank * 2)};
  dist::broadcast(v, root);
  CHECK(v == std::vector<float>{static_cast<float>(root), static_cast<float>(root * 2)});
  std::string text = kRank == 0 ? "the root's words, longer than the others'" : "x";
  dist::broadcast(text);
  CHECK(text == "the root's words, longer than the others'");
}

TEST_CASE("all_gather collects every rank's text and array in rank order") {
  const std::vector<std::string> texts = dist::all_gather(std::string(kRank + 1, 'a' + kRank));
  REQUIRE(texts.size() == static_cast<size_t>(kWorld));
  for (int r = 0; r < kWorld; ++r) CHECK(texts[r] == std::string(r + 1, 'a' + r));
  const core::NDArray gathered = dist::all_gather(core::NDArray::full({2}, 0.5f + kRank));
  CHECK(gathered.shape() == core::Shape{kWorld, 2});
  for (int r = 0; r < kWorld; ++r) CHECK(gathered.at({r, 1}) == 0.5f + r);
}

TEST_CASE("all_gather refuses arrays of different shapes, naming both") {
  if (kWorld == 1) return;
  const core::NDArray a = core::NDArray::zeros({kRank + 1});
  CHECK_THROWS_WITH_AS(dist::all_gather(a),
                       doctest::Contains("all_gather of arrays of different shapes"), Error);
}

TEST_CASE("DataParallel: the summed gradient of the shares is the whole batch's gradient") {
  SUBCASE("one bucket, overlapped with backward") { check_data_parallel_gradient(7, {}, true); }
  SUBCASE("a bucket per parameter or so") {
    check_data_parallel_gradient(7, {.bucket_bytes = 64}, true);
  }
  SUBCASE("reduced after backward") {
    check_data_parallel_gradient(7, {.bucket_bytes = 64}, false);
  }
  SUBCASE("fewer rows than ranks") { check_data_parallel_gradient(2, {.bucket_bytes = 100}, true); }
}

TEST_CASE("DataParallel kMean averages equal shares") {
  core::manual_seed(7);
  Mlp model;
  dist::DataParallel ddp(model, {.bucket_bytes = 128});
  // Every rank the same batch: the mean of equal gradients is that gradient.
  Mlp alone;
  alone.load_state_dict(model.state_dict());
  loss_of(alone, batch(4), 4).backward();
  ddp.backward(loss_of(model, batch(4), 4));
  testing::check_close(model.named_parameters()[0].second.grad(),
                       alone.named_parameters()[0].second.grad(), 1e-5f);
  CHECK(ddp.last_timing().backward > 0.0);
}

TEST_CASE("DataParallel refuses ranks holding different models, naming the parameter") {
  if (kWorld == 1) return;
  struct Other : nn::Module {
    explicit Other(int64_t n) { register_parameter("w", Tensor::zeros({n})); }
  };
  Other model(kRank == 0 ? 3 : 4);
  CHECK_THROWS_WITH_AS(dist::DataParallel{model},
                       doctest::Contains("rank 0 has parameter 'w (3,)' where rank 1 has 'w (4,)'"),
                       Error);
}

TEST_CASE("DataParallel refuses a bucket size below one byte") {
  Mlp model;
  CHECK_THROWS_WITH_AS(dist::DataParallel(model, {.bucket_bytes = 0}),
                       doctest::Contains("bucket_bytes is 0"), Error);
}
