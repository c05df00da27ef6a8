// The guide's chapter 10 (docs/guide/10-data-parallel.md): one small regression trained on every
// rank of an mpirun job, each rank on its share of the batch, the gradients summed by
// distributed::DataParallel. The losses it prints are those of one process (run it without
// mpirun to compare):
//   build/examples/guide_data_parallel
//   mpirun -np 2 build/examples/guide_data_parallel
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "ember/ember.h"

using namespace ember;

// y = sin(x0) + x1 / 2 for 12 points: the whole batch, the same on every rank.
std::pair<Tensor, Tensor> whole_batch() {
  std::vector<float> x, y;
  for (int i = 0; i < 12; ++i) {
    const float x0 = 0.3f * static_cast<float>(i), x1 = std::cos(static_cast<float>(i));
    x.insert(x.end(), {x0, x1});
    y.push_back(std::sin(x0) + 0.5f * x1);
  }
  return {Tensor::from_vector(x, {12, 2}), Tensor::from_vector(y, {12, 1})};
}

int main() {
  distributed::Session mpi;  // MPI under mpirun; otherwise one process, world size 1
  const int rank = distributed::rank(), ranks = distributed::world_size();

  core::manual_seed(1);
  nn::Sequential model;
  model.push_back(std::make_shared<nn::Linear>(2, 16));
  model.push_back(std::make_shared<nn::Linear>(16, 1));
  // Rank 0's parameters on every rank; gradients summed (each rank weights its own share).
  distributed::DataParallel ddp(model,
                                {.reduction = distributed::DataParallelOptions::Reduction::kSum});
  optim::SGD sgd(model.parameters(), {.lr = 0.05f});

  const auto [x, y] = whole_batch();
  const int64_t n = x.shape()[0];
  const int64_t begin = n * rank / ranks, end = n * (rank + 1) / ranks;  // this rank's rows
  const Tensor my_x = narrow(x, 0, begin, end - begin), my_y = narrow(y, 0, begin, end - begin);

  for (int step = 1; step <= 50; ++step) {
    sgd.zero_grad();
    const Tensor error = model.forward(my_x) - my_y;
    // The squared error summed over this rank's rows, divided by the rows of the WHOLE batch:
    // summed over the ranks, it is the mean over the whole batch.
    const Tensor loss = sum(error * error) * (1.0f / static_cast<float>(n));
    ddp.backward(loss);  // backward, and the gradients summed over the ranks
    sgd.step();          // the same update on every rank
    std::vector<double> total{loss.item()};
    distributed::all_reduce(total);  // the whole batch's loss, for printing
    if (rank == 0 && step % 10 == 0) fmt::print("step {:2}  loss {:.6f}\n", step, total[0]);
  }
}
