// Printing a Tensor: the values as core/format.h prints them, then ember's suffixes in torch's
// order: the shape, then grad_fn=<op> for an op's result or requires_grad=True for such a leaf.
#include <ostream>

#include "ember/autograd/node.h"
#include "ember/autograd/tensor.h"
#include "ember/core/format.h"

namespace ember {

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());
  std::vector<std::string> suffixes{"shape=" + core::shape_str(t.shape())};
  if (t.grad_fn()) suffixes.push_back(fmt::format("grad_fn=<{}>", t.grad_fn()->op));
  else if (t.requires_grad()) suffixes.emplace_back("requires_grad=True");
  return core::add_suffixes(prefix + core::format_values(t.data(), indent), suffixes, indent);
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << to_string(t); }

}  // namespace ember
