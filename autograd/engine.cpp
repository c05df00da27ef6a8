// The backward engine: topological order of the nodes reachable from the root, then each node's
// backward function in reverse order, summing gradients into the nodes and leaves they reach
// (micrograd's engine, with an explicit stack so a 10,000-op chain does not overflow the stack).
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "ember/autograd/gradients_internal.h"
#include "ember/autograd/leaf_gradient_hook.h"
#include "ember/autograd/node.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/matmul.h"

namespace ember {
namespace {

thread_local LeafGradientHook leaf_gradient_hook;

// Nodes reachable from root, every node after all the nodes that consume its output.
std::vector<Node*> reverse_topological_order(Node* root) {
  std::vector<Node*> order;
  std::unordered_set<Node*> visited{root};
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};  // node, next edge to visit
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->edges.size()) {
      Node* child = node->edges[next++].node.get();
      if (child != nullptr && visited.insert(child).second) stack.emplace_back(child, 0);
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};
}

// Sums a gradient into a slot, in place when one of the two arrays is contiguous and held by
// nobody else (a backward function may hand the same array to two inputs, or return one it
// saved), so a value used many times does not cost a new array per use.
void accumulate(NDArray& slot, NDArray grad) {
  if (!slot.defined()) {
    slot = std::move(grad);
  } else if (slot.is_contiguous() && slot.sole_owner()) {
    slot.add_(grad);
  } else if (grad.is_contiguous() && grad.sole_owner()) {
    grad.add_(slot);
    slot = std::move(grad);
  } else {
    slot = core::add(slot, grad);
  }
}

// A leaf's first gradient is kept as it is when nothing else holds it, else copied: the
// optimizer may modify .grad in place.
void accumulate_leaf(TensorImpl& leaf, NDArray grad) {
  if (leaf.grad.defined()) leaf.grad.add_(grad);
  else if (grad.is_contiguous() && grad.sole_owner()) leaf.grad = std::move(grad);
  else leaf.grad = grad.clone();
}

// Refuses to run a backward function after one of the op's inputs was written in place since
// the forward pass used it: what the op saved would no longer be what it computed with. A
// storage nobody holds any more cannot have been saved, so it is not checked.
void check_inputs_unmodified(const Node& node) {
  for (size_t i = 0; i < node.edges.size(); ++i) {
    const Edge& e = node.edges[i];
    const std::shared_ptr<core::Storage> storage = e.storage.lock();
    if (storage == nullptr || storage->version() == e.version) continue;
    const std::string input =
        e.wants_grad() ? fmt::format("input {} (shape {})", i, core::shape_str(e.shape))
                       : fmt::format("input {} (one that needs no gradient)", i);
    throw Error(fmt::format(
        "[backward of {}] {} was modified in place after {} used it (version {} -> {}); "
        "modify a clone, or modify it after backward",
        node.op, input, node.op, e.version, storage->version()));
  }
}

void run_node(Node& node) {
  EMBER_CHECK(node.backward != nullptr,
              "[backward] the graph through '{}' was already freed by an earlier backward pass",
              node.op);
  check_inputs_unmodified(node);
  Gradients grads(node.op, node.edges);
  node.backward(node.grad_output, grads);
  node.backward = nullptr;  // release what the op saved
  node.grad_output = NDArray();
  for (size_t i = 0; i < node.edges.size(); ++i) {
    NDArray& g = GradientsInternal::values(grads)[i];
    if (!g.defined()) continue;
    const Edge& e = node.edges[i];
    if (e.node) accumulate(e.node->grad_output, std::move(g));
    else if (e.leaf.defined()) accumulate_leaf(*e.leaf.impl(), std::move(g));
  }
}

// Runs the nodes in order and calls `hook` for each leaf once the last node with an edge to it
// has run (or been skipped: no gradient reached it), if the leaf then has a gradient.
void run_nodes_with_hook(const std::vector<Node*>& order, const LeafGradientHook& hook) {
  std::unordered_map<const TensorImpl*, int64_t> edges_left;
  for (const Node* node : order)
    for (const Edge& e : node->edges)
      if (e.leaf.defined()) ++edges_left[e.leaf.impl()];
  for (Node* node : order) {
    if (node->grad_output.defined()) run_node(*node);
    for (const Edge& e : node->edges)
      if (e.leaf.defined() && --edges_left[e.leaf.impl()] == 0 && e.leaf.impl()->grad.defined())
        hook(e.leaf);
  }
}

}  // namespace

LeafGradientHookGuard::LeafGradientHookGuard(LeafGradientHook hook)
    : previous_(std::exchange(leaf_gradient_hook, std::move(hook))) {}

LeafGradientHookGuard::~LeafGradientHookGuard() { leaf_gradient_hook = std::move(previous_); }

Gradients::Gradients(const char* op, const std::vector<Edge>& edges)
    : op_(op), edges_(edges), grads_(edges.size()) {}

bool Gradients::wants(size_t input) const { return edges_[input].wants_grad(); }

void Gradients::set(size_t input, NDArray grad) {
  if (!wants(input)) return;
  EMBER_CHECK(grad.shape() == edges_[input].shape,
              "[{}] backward produced a gradient of shape {} for input {} of shape {}", op_,
              core::shape_str(grad.shape()), input, core::shape_str(edges_[input].shape));
  accumulate(grads_[input], std::move(grad));
}

// The gradient summed so far for input i's edge (a leaf's .grad or a node's incoming gradient)
// when a backward function may add into it in place: nothing set for the input yet in this
// node, and the array contiguous, of the input's shape and held by nobody else.
NDArray* Gradients::summed_in_place(size_t input) {
  const Edge& e = edges_[input];
  NDArray& summed = e.node ? e.node->grad_output : e.leaf.impl()->grad;
  const bool usable = !grads_[input].defined() && summed.defined() && summed.shape() == e.shape &&
                      summed.is_contiguous() && summed.sole_owner();
  return usable ? &summed : nullptr;
}

void GradientsInternal::add_into(Gradients& g, size_t input,
                                 const std::function<void(const NDArray&)>& add) {
  if (!g.wants(input)) return;
  if (NDArray* summed = g.summed_in_place(input)) {
    add(*summed);
    return;
  }
  NDArray whole = NDArray::zeros(g.edges_[input].shape);
  add(whole);
  g.set(input, std::move(whole));
}

void GradientsInternal::add_to_part(Gradients& g, size_t input,
                                    const std::function<NDArray(const NDArray&)>& part,
                                    const NDArray& grad) {
  add_into(g, input, [&](const NDArray& whole) { part(whole).add_(grad); });
}

void GradientsInternal::add_rows(Gradients& g, size_t input, const IndexArray& index,
                                 const NDArray& src, int64_t skip) {
  add_into(g, input, [&](const NDArray& whole) { core::index_add_(whole, 0, index, src, skip); });
}

void GradientsInternal::add_product(Gradients& g, size_t input, const NDArray& a,
                                    const NDArray& b) {
  if (!g.wants(input)) return;
  const Edge& e = g.edges_[input];
  const Shape product{a.size(0), b.size(1)};
  EMBER_CHECK(product == e.shape,
              "[{}] backward produced a gradient of shape {} for input {} of shape {}", g.op_,
              core::shape_str(product), input, core::shape_str(e.shape));
  if (NDArray* summed = g.summed_in_place(input)) {
    core::addmm_(*summed, a, b);
    return;
  }
  g.set(input, core::matmul(a, b));
}

void backward_from(const Tensor& root, const NDArray& upstream) {
  EMBER_CHECK(root.requires_grad(),
              "[backward] tensor of shape {} does not require grad and has no grad_fn",
              core::shape_str(root.shape()));
  EMBER_CHECK(upstream.shape() == root.shape(),
              "[backward] upstream gradient of shape {} for a tensor of shape {}",
              core::shape_str(upstream.shape()), core::shape_str(root.shape()));
  if (root.is_leaf()) {
    accumulate_leaf(*root.impl(), upstream);
    if (leaf_gradient_hook) leaf_gradient_hook(root);
    return;
  }
  Node* start = root.grad_fn().get();
  accumulate(start->grad_output, upstream.contiguous());
  const std::vector<Node*> order = reverse_topological_order(start);
  if (leaf_gradient_hook) {
    run_nodes_with_hook(order, leaf_gradient_hook);
    return;
  }
  for (Node* node : order)
    if (node->grad_output.defined()) run_node(*node);
}

}  // namespace ember
