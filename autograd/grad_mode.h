// Gradient recording on or off for the current thread. NoGradGuard turns it off in a scope
// (evaluation, decoding, optimizer updates), as torch::NoGradGuard does.
#pragma once

namespace ember {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ember
