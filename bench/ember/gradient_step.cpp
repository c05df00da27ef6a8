// GradientStep: loss.backward(), or DataParallel's backward() / reduce_gradients().
#include "ember/gradient_step.h"

#include <cstdlib>

#include "common/workloads.h"
#include "ember/distributed/collectives.h"

namespace bench::ember_side {

namespace dist = ember::distributed;

GradientStep::GradientStep(ember::nn::Module& model, GradientMode mode)
    : mode_(mode), gradient_bytes_(4.0 * static_cast<double>(model.num_parameters())) {
  if (mode_ == GradientMode::kLocal) return;
  ember::distributed::DataParallelOptions options;
  // EMBER_BENCH_BUCKET_MB: another bucket size than DataParallel's 25 MiB, to see its effect.
  if (const char* mb = std::getenv("EMBER_BENCH_BUCKET_MB"))
    options.bucket_bytes = static_cast<int64_t>(std::atof(mb) * (1 << 20));
  data_parallel_ = std::make_unique<dist::DataParallel>(model, options);
}

int64_t GradientStep::batch_rows() const {
  return mode_ == GradientMode::kLocal ? kBatch : kBatch / dist::world_size();
}

void GradientStep::backward(const ember::Tensor& loss) {
  switch (mode_) {
    case GradientMode::kLocal:
      loss.backward();
      return;
    case GradientMode::kOverlapped:
      data_parallel_->backward(loss);
      break;
    case GradientMode::kAfterBackward:
      loss.backward();
      data_parallel_->reduce_gradients();
      break;
  }
  waits_.push_back(data_parallel_->last_timing().wait);
}

void GradientStep::print(std::string_view name, const Args& args,
                         const std::vector<double>& seconds, double flops_per_step) const {
  if (dist::rank() != 0) return;
  print_training_results("ember", name, args, seconds, double{kBatch} * kTgtLen, flops_per_step);
  if (mode_ == GradientMode::kLocal) return;
  // The timed steps' waits (the warm-up steps come first).
  std::vector<double> ms;
  for (size_t i = waits_.size() - seconds.size(); i < waits_.size(); ++i)
    ms.push_back(waits_[i] * 1e3);
  print_result({.impl = "ember",
                .workload = std::string(name) + "_wait",
                .threads = args.threads,
                .unit = "ms",
                .samples = ms,
                .warmup = args.warmup,
                .extra = {{"ranks", static_cast<double>(dist::world_size())},
                          {"buckets", static_cast<double>(data_parallel_->num_buckets())},
                          {"gradient_bytes", gradient_bytes_}}});
}

}  // namespace bench::ember_side
