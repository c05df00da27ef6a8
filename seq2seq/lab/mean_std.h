// Mean and sample standard deviation of a measure over runs (seeds): the cells of the lab's
// aggregate tables (probe_aggregate.h, lab_aggregate.h).
#pragma once

#include <vector>

namespace ember::seq2seq::lab {

// Mean and sample standard deviation (n - 1; 0 for a single value; both NaN for none).
struct MeanStd {
  double mean = 0.0;
  double std = 0.0;
};

MeanStd mean_std(const std::vector<double>& values);

}  // namespace ember::seq2seq::lab
