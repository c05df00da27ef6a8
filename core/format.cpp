#include "ember/core/format.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "ember/core/error.h"

namespace ember::core {
namespace {

constexpr int kPrecision = 4;         // decimals
constexpr int64_t kThreshold = 1000;  // more elements than this are summarised
constexpr int64_t kEdgeItems = 3;     // entries kept at each end of a summarised dim
constexpr int kLineWidth = 80;

// torch's _Formatter: one notation and one width for every printed element, chosen from the
// nonzero finite values. Whole numbers print as "2."; scientific notation when the largest
// magnitude is over 1e8 or 1000 times the smallest, or (for fractions) the smallest is under 1e-4.
class ElementFormat {
 public:
  explicit ElementFormat(const std::vector<double>& values) {
    std::vector<double> nonzero;
    for (double v : values)
      if (std::isfinite(v) && v != 0.0) nonzero.push_back(v);
    if (nonzero.empty()) return;
    double min_abs = INFINITY, max_abs = 0.0;
    for (double v : nonzero) {
      min_abs = std::min(min_abs, std::abs(v));
      max_abs = std::max(max_abs, std::abs(v));
      whole_ = whole_ && v == std::ceil(v);
    }
    scientific_ = max_abs / min_abs > 1000.0 || max_abs > 1e8 || (!whole_ && min_abs < 1e-4);
    for (double v : nonzero) {
      const size_t length = scientific_ ? fmt::format("{:.{}e}", v, kPrecision).size()
                            : whole_    ? fmt::format("{:.0f}", v).size() + 1  // the "."
                                        : fmt::format("{:.{}f}", v, kPrecision).size();
      width_ = std::max(width_, static_cast<int>(length));
    }
  }

  int width() const { return width_; }

  std::string format(double v) const {
    if (std::isnan(v)) v = std::abs(v);  // Python prints every NaN as "nan"
    std::string text;
    if (scientific_) text = fmt::format("{:.{}e}", v, kPrecision);
    else if (whole_) text = fmt::format("{:.0f}{}", v, std::isfinite(v) ? "." : "");
    else text = fmt::format("{:.{}f}", v, kPrecision);
    const auto length = static_cast<int>(text.size());
    return length < width_ ? std::string(width_ - length, ' ') + text : text;
  }

 private:
  bool whole_ = true;
  bool scientific_ = false;
  int width_ = 1;
};

// The indices of dim 0 that are printed: all, or the first and last kEdgeItems with -1 (for the
// "...") between them when summarising.
std::vector<int64_t> printed_indices(int64_t size, bool summarize) {
  std::vector<int64_t> out;
  const bool cut = summarize && size > 2 * kEdgeItems;
  for (int64_t i = 0; i < size; ++i) {
    if (cut && i == kEdgeItems) {
      out.push_back(-1);
      i = size - kEdgeItems;
    }
    out.push_back(i);
  }
  return out;
}

// The values that will be printed, in order (torch's get_summarized_data).
void collect_printed(const NDArray& a, bool summarize, std::vector<double>& out) {
  if (a.dim() == 0) {
    out.push_back(*a.data());
    return;
  }
  for (int64_t i : printed_indices(a.size(0), summarize))
    if (i >= 0) collect_printed(a.select(0, i), summarize, out);
}

// torch's _vector_str: as many elements a line as fit in 80 columns after the indent.
std::string vector_str(const NDArray& a, int indent, bool summarize, const ElementFormat& f) {
  const auto per_line = static_cast<size_t>(std::max(1, (kLineWidth - indent) / (f.width() + 2)));
  std::vector<std::string> items;
  for (int64_t i : printed_indices(a.size(0), summarize))
    items.push_back(i < 0 ? " ..." : f.format(a.data()[i * a.strides()[0]]));
  std::vector<std::string> lines;
  for (size_t first = 0; first < items.size(); first += per_line) {
    const size_t last = std::min(items.size(), first + per_line);
    lines.push_back(
        fmt::format("{}", fmt::join(items.begin() + first, items.begin() + last, ", ")));
  }
  std::string separator = ",\n";
  separator.append(indent + 1, ' ');
  return fmt::format("[{}]", fmt::join(lines, separator));
}

// torch's _tensor_str_with_formatter: sub-arrays one indent deeper, separated by a line per
// remaining dim.
std::string array_str(const NDArray& a, int indent, bool summarize, const ElementFormat& f) {
  if (a.dim() == 0) return f.format(*a.data());
  if (a.dim() == 1) return vector_str(a, indent, summarize, f);
  std::vector<std::string> slices;
  for (int64_t i : printed_indices(a.size(0), summarize))
    slices.push_back(i < 0 ? "..." : array_str(a.select(0, i), indent + 1, summarize, f));
  std::string separator = ",";
  separator.append(a.dim() - 1, '\n').append(indent + 1, ' ');
  return fmt::format("[{}]", fmt::join(slices, separator));
}

}  // namespace

std::string format_values(const NDArray& a, int indent) {
  if (a.numel() == 0) return "[]";
  const bool summarize = a.numel() > kThreshold;
  std::vector<double> printed;
  collect_printed(a, summarize, printed);
  return array_str(a, indent, summarize, ElementFormat(printed));
}

std::string add_suffixes(std::string body, const std::vector<std::string>& suffixes, int indent) {
  const size_t newline = body.rfind('\n');
  // torch's count, which is one more than the last line's length when the text has a newline
  // and two more when it has none
  int64_t line_length = static_cast<int64_t>(body.size()) -
                        (newline == std::string::npos ? -1 : static_cast<int64_t>(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    const auto length = static_cast<int64_t>(suffix.size());
    if (line_length + length + 2 > kLineWidth) {
      body.append(",\n").append(indent, ' ').append(suffix);
      line_length = indent + length;
    } else {
      body += ", " + suffix;
      line_length += length + 2;
    }
  }
  return body + ")";
}

std::string to_string(const NDArray& a) {
  if (!a.defined()) return "array(undefined)";
  const std::string prefix = "array(";
  const int indent = static_cast<int>(prefix.size());
  return add_suffixes(prefix + format_values(a, indent), {"shape=" + shape_str(a.shape())}, indent);
}

std::ostream& operator<<(std::ostream& out, const NDArray& a) { return out << to_string(a); }

}  // namespace ember::core
