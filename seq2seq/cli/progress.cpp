// Progress display (bar on a terminal, log lines otherwise) and the Ctrl-C handler.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ember/core/allocator.h"
#include "ember/seq2seq/cli/commands.h"

namespace ember::seq2seq::cli {
namespace {

// "59 MiB in use at most, 73 MiB held": the arrays' peak and what ember keeps from the system
// (core/allocator.h; its cache holds at most the peak again).
std::string memory_text() {
  const core::AllocatorStats s = core::allocator_stats();
  constexpr double kMiB = 1 << 20;
  return fmt::format("{:.0f} MiB in use at most, {:.0f} MiB held", s.most_live_bytes / kMiB,
                     s.system_bytes / kMiB);
}

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};  // the signal that set g_interrupted

// Only lock-free atomics here: the handler may run on any thread at any point.
extern "C" void on_interrupt(int signal) {
  g_signal.store(signal);
  if (g_interrupted.exchange(true)) std::_Exit(128 + signal);  // the second signal: at once
}

std::string clock(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string scores_text(const Scores& scores) {
  std::string s;
  for (const auto& [name, value] : scores) s += fmt::format(", {} {:.2f}", name, value);
  return s;
}

std::string bar(int64_t done, int64_t total, int width) {
  const int filled = total > 0
                         ? static_cast<int>(static_cast<double>(width) * static_cast<double>(done) /
                                            static_cast<double>(total))
                         : 0;
  return std::string(static_cast<size_t>(std::min(filled, width)), '#') +
         std::string(static_cast<size_t>(width - std::min(filled, width)), '-');
}

}  // namespace

ProgressPrinter::ProgressPrinter() : tty_(isatty(fileno(stderr)) != 0) {}

void ProgressPrinter::finish_line() {
  if (!bar_shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  bar_shown_ = false;
}

void ProgressPrinter::draw(const ProgressEvent& e) {
  const auto now = std::chrono::steady_clock::now();
  if (bar_shown_ && e.step != e.total_steps && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  std::fprintf(stderr, "\r\033[Kepoch %lld/%lld [%s] %lld/%lld  loss %.4f  %.0f tok/s  ETA %s",
               static_cast<long long>(e.epoch), static_cast<long long>(e.epochs),
               bar(e.step, e.total_steps, 24).c_str(), static_cast<long long>(e.step),
               static_cast<long long>(e.total_steps), e.loss, e.tokens_per_s,
               clock(e.eta_s).c_str());
  std::fflush(stderr);
  bar_shown_ = true;
}

void ProgressPrinter::operator()(const ProgressEvent& e) {
  using Kind = ProgressEvent::Kind;
  if (e.kind == Kind::kStep) {
    if (tty_) {
      draw(e);
    } else if (e.report) {
      spdlog::info("epoch {}/{} update {}/{}  loss {:.4f}  lr {:.3g}  {:.0f} tok/s  ETA {}",
                   e.epoch, e.epochs, e.step, e.total_steps, e.loss, e.lr, e.tokens_per_s,
                   clock(e.eta_s));
    }
    return;
  }
  finish_line();
  switch (e.kind) {
    case Kind::kEvaluation:
      spdlog::info("update {}: valid loss {:.4f}{}; memory {}", e.step, e.valid_loss,
                   scores_text(e.scores), memory_text());
      break;
    case Kind::kCheckpoint:
      spdlog::debug("checkpoint {}", e.message);
      break;
    case Kind::kDone:
      spdlog::info("{} ({} updates, {} of training)", e.message, e.step, clock(e.elapsed_s));
      break;
    default:
      spdlog::info("{}", e.message);
  }
}

void draw_count_bar(const std::string& what, int64_t done, int64_t total) {
  if (isatty(fileno(stderr)) == 0) return;
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld", what.c_str(), bar(done, total, 24).c_str(),
               static_cast<long long>(done), static_cast<long long>(total));
  if (done == total) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

const std::atomic<bool>* install_interrupt_handler() {
  g_interrupted = false;
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes in progress go on
  for (int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
  return &g_interrupted;
}

std::string interrupt_name() {
  return g_signal.load() == SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)";
}

int interrupt_exit_code() { return 128 + (g_signal.load() != 0 ? g_signal.load() : SIGINT); }

std::string display_piece(const std::string& piece) { return piece == " " ? "␣" : piece; }

}  // namespace ember::seq2seq::cli
