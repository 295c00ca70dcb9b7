#include "cli/run_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <ostream>

namespace retort {
namespace {

std::string Clock(std::chrono::milliseconds ms) {
  long long s = ms.count() / 1000;
  std::string out = std::to_string(s / 60) + ":";
  if (s % 60 < 10) out += "0";
  return out + std::to_string(s % 60);
}

// The terminal's width on stderr; 80 when it cannot be read.
size_t TerminalWidth() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 80;
}

}  // namespace

std::string RunProgressLine(const std::string& kind,
                            const RunProgressState& state,
                            std::chrono::milliseconds elapsed, size_t width) {
  constexpr int kBar = 20;
  int filled = state.steps > 0 ? state.done * kBar / state.steps : 0;
  std::string line = kind + " " + std::to_string(state.done) + "/" +
                     std::to_string(state.steps) + " [" +
                     std::string(static_cast<size_t>(filled), '#') +
                     std::string(static_cast<size_t>(kBar - filled), '-') +
                     "] ";
  std::string eta = "-";
  if (state.done > 0 && state.steps >= state.done) {
    eta = Clock(std::chrono::milliseconds(elapsed.count() / state.done *
                                          (state.steps - state.done)));
  }
  std::string tail = " " + Clock(elapsed) + ", ETA " + eta;
  std::string what = state.revision;
  if (!state.statement.empty()) {
    what += (what.empty() ? "" : ": ") + state.statement;
  }
  // The statement gives way: the counts and times always fit.
  size_t room = width > line.size() + tail.size() + 1
                    ? width - line.size() - tail.size() - 1
                    : 0;
  if (what.size() > room) {
    what = room > 3 ? what.substr(0, room - 3) + "..." : "";
  }
  return line + what + tail;
}

RunProgressBar::RunProgressBar(bool enabled, std::string kind,
                               std::ostream* out,
                               std::chrono::milliseconds delay)
    : enabled_(enabled),
      kind_(std::move(kind)),
      out_(out),
      delay_(delay),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) ticker_ = std::thread([this] { Tick(); });
}

RunProgressBar::~RunProgressBar() { Finish(); }

void RunProgressBar::Update(const Progress& progress) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  state_.steps = progress.steps;
  switch (progress.event) {
    case Progress::Event::kStepStarted:
      state_.done = progress.step - 1;
      state_.revision = progress.revision;
      state_.statement.clear();
      break;
    case Progress::Event::kStatement:
      state_.statement = progress.statement;
      break;
    case Progress::Event::kStepFinished:
      state_.done = progress.step;
      state_.statement.clear();
      break;
  }
  // Statements can come thousands a second: the ticker redraws anyway.
  if (drawn_ && std::chrono::steady_clock::now() - last_draw_ >=
                    std::chrono::milliseconds(100)) {
    DrawLocked();
  }
}

void RunProgressBar::Above(const std::function<void()>& write) {
  std::lock_guard<std::mutex> lock(mu_);
  bool was_drawn = drawn_;
  if (was_drawn) EraseLocked();
  write();
  if (was_drawn && !finished_) DrawLocked();
}

void RunProgressBar::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (drawn_) EraseLocked();
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void RunProgressBar::Tick() {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, delay_, [this] { return finished_; });
  while (!finished_) {
    if (state_.steps > 0) DrawLocked();
    wake_.wait_for(lock, std::chrono::milliseconds(250),
                   [this] { return finished_; });
  }
}

void RunProgressBar::DrawLocked() {
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start_);
  *out_ << "\r\033[K"
        << RunProgressLine(kind_, state_, elapsed, TerminalWidth() - 1)
        << std::flush;
  drawn_ = true;
  last_draw_ = std::chrono::steady_clock::now();
}

void RunProgressBar::EraseLocked() {
  *out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace retort
