// Data parallelism over the ranks of a job (Li et al., 2020, "PyTorch Distributed"): every rank
// holds the whole model, computes the gradient of its share of a batch, and the gradients are
// summed over the ranks, so that every rank takes the same optimizer step.
//
//   distributed::init();
//   auto model = make_model(...);                       // the same architecture on every rank
//   distributed::DataParallel ddp(*model);              // rank 0's parameters on every rank
//   for (...) {
//     optimizer.zero_grad();
//     ddp.backward(local_loss);                          // gradients summed or averaged
//     optimizer.step();                                   // the same update on every rank
//   }
//
// The gradients travel in buckets of about bucket_bytes: parameters in reverse registration order
// (roughly the order backward finishes them), one contiguous float buffer per bucket. backward()
// runs the engine with a LeafGradientHook (autograd/leaf_gradient_hook.h): once every gradient
// of a bucket is final it is copied into the buffer and its non-blocking all-reduce starts, so
// the reduction of the last layers overlaps the backward pass of the first. Buckets start in
// index order on every rank (MPI needs collectives in one order); they are all waited for before
// backward() returns. A parameter without a gradient on this rank counts as zeros; on several
// ranks every parameter has a gradient after backward() (a parameter that no rank used gets
// zeros, which Adam then treats as a step with a zero gradient, unlike one process).
//
// At world size 1 backward() is loss.backward() and reduce_gradients() does nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/autograd/tensor.h"
#include "ember/layers/module.h"

namespace ember::distributed {

struct DataParallelOptions {
  int64_t bucket_bytes = 25 << 20;  // 25 MiB, PyTorch DDP's default bucket_cap_mb
  // kMean divides the summed gradients by the world size (each rank's loss a mean over its own
  // share, the shares equal). kSum keeps the sum: for losses each rank has already weighted by
  // its share of the global batch (uneven shares), the sum is the whole batch's gradient.
  enum class Reduction { kMean, kSum } reduction = Reduction::kMean;
};

// Where the time of the last backward() went (seconds, this rank).
struct ReductionTiming {
  double backward = 0.0;  // the engine's pass, with the buckets started inside it
  double wait = 0.0;      // waiting for the all-reduces after the pass: the part not hidden
};

class DataParallel {
 public:
  // Broadcasts every parameter from rank 0 (the ranks start equal). Throws "[data_parallel]" when
  // the ranks' parameter lists differ in names or shapes, naming the first difference, or for a
  // bucket size below 1.
  explicit DataParallel(nn::Module& module, DataParallelOptions options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // loss.backward() with the buckets reduced as they become ready; when it returns, every
  // parameter's gradient is the sum (or mean) over the ranks.
  void backward(const Tensor& loss);
  // The same reduction after a backward pass the caller ran (or none: a rank with nothing to
  // compute contributes zeros), every bucket started only now: nothing overlaps.
  void reduce_gradients();

  int64_t num_buckets() const;
  const ReductionTiming& last_timing() const { return timing_; }

 private:
  struct Bucket;
  struct Slot {
    size_t bucket = 0;
    size_t index = 0;  // in the bucket's parameters
  };
  void on_gradient_ready(size_t param);  // index into params_
  void start_ready_buckets();
  void finish();

  std::vector<Tensor> params_;
  DataParallelOptions options_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<Slot> slot_of_param_;  // per parameter
  size_t next_bucket_ = 0;           // the first bucket not started
  ReductionTiming timing_;
};

}  // namespace ember::distributed
