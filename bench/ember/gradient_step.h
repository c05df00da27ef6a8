// How a W1/W2 training step makes its gradients: in one process, or data-parallel over the ranks
// of an mpirun job (distributed::DataParallel, docs/distributed.md), each rank computing the
// gradient of its kBatch / ranks rows, the all-reduce of the buckets either overlapped with
// backward or started after it. The figures stay those of the whole batch; rank 0 prints them,
// with the time each step waited for the all-reduce after backward (`<name>_wait`, ms). The
// environment variable EMBER_BENCH_BUCKET_MB sets the bucket size (default DataParallel's).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "common/bench.h"
#include "ember/autograd/tensor.h"
#include "ember/distributed/data_parallel.h"

namespace bench::ember_side {

enum class GradientMode { kLocal, kOverlapped, kAfterBackward };

class GradientStep {
 public:
  GradientStep(ember::nn::Module& model, GradientMode mode);
  int64_t batch_rows() const;  // this rank's rows of the kBatch of a step
  void backward(const ember::Tensor& loss);
  // Rank 0: print_training_results for the whole batch, and the waits.
  void print(std::string_view name, const Args& args, const std::vector<double>& seconds,
             double flops_per_step) const;

 private:
  GradientMode mode_;
  std::unique_ptr<ember::distributed::DataParallel> data_parallel_;
  double gradient_bytes_;      // float32 gradients of a step: what each rank all-reduces
  std::vector<double> waits_;  // seconds, one per step
};

}  // namespace bench::ember_side
