// The self-pipe and the watcher thread behind InterruptHandler; see
// interrupt.h.
#include "runtime/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "retort/progress.h"

namespace retort {

namespace {

// Read by the signal handler: plain atomics and file descriptors only.
std::atomic<int> g_signal_count{0};
int g_pipe[2] = {-1, -1};

// The watcher's side.
std::atomic<int> g_interrupted{0};
std::mutex g_mu;
std::condition_variable g_cv;
std::map<int, std::function<void()>> g_hooks;
int g_next_hook = 1;

// A byte on the pipe that is not a signal: the handler is going away.
constexpr unsigned char kStop = 0xff;

void WriteStderr(const char* text, size_t size) {
  while (size > 0) {
    ssize_t n = write(STDERR_FILENO, text, size);
    if (n <= 0) return;
    text += n;
    size -= static_cast<size_t>(n);
  }
}

extern "C" void OnSignal(int sig) {
  int saved_errno = errno;
  if (g_signal_count.fetch_add(1) >= 1) {
    // The second signal: the user wants out now, whatever is in flight.
    // The server rolls back when it notices the connection is gone.
    static const char kForced[] = "\nretort: second interrupt, exiting now\n";
    WriteStderr(kForced, sizeof(kForced) - 1);
    _exit(128 + sig);
  }
  unsigned char byte = static_cast<unsigned char>(sig);
  ssize_t ignored = write(g_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved_errno;
}

void Interrupt(int sig) {
  int expected = 0;
  g_interrupted.compare_exchange_strong(expected, sig);
  std::lock_guard<std::mutex> lock(g_mu);
  for (auto& [id, hook] : g_hooks) hook();
  g_cv.notify_all();
}

struct Installed {
  std::thread watcher;
  struct sigaction old_int {};
  struct sigaction old_term {};
  bool int_installed = false;
  bool term_installed = false;
};
Installed* g_installed = nullptr;

void Watch(bool announce) {
  while (true) {
    unsigned char byte = 0;
    ssize_t n = read(g_pipe[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kStop) return;
    if (announce) {
      std::string text = "retort: " + SignalName(byte) +
                         " received: cancelling the statement in flight and "
                         "rolling back (interrupt again to exit at once)\n";
      WriteStderr(text.data(), text.size());
    }
    Interrupt(byte);
  }
}

// Installs `sig`'s handler unless it was ignored; records the old one.
bool Install(int sig, struct sigaction* old) {
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  if (current.sa_handler == SIG_IGN) return false;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(sig, &action, old);
  return true;
}

}  // namespace

InterruptHandler::InterruptHandler(bool announce) {
  if (g_installed != nullptr) return;  // one per process; the first wins
  if (pipe2(g_pipe, O_CLOEXEC) != 0) return;
  g_installed = new Installed;
  g_installed->watcher = std::thread(Watch, announce);
  g_installed->int_installed = Install(SIGINT, &g_installed->old_int);
  g_installed->term_installed = Install(SIGTERM, &g_installed->old_term);
}

InterruptHandler::~InterruptHandler() {
  if (g_installed == nullptr) return;
  if (g_installed->int_installed) {
    sigaction(SIGINT, &g_installed->old_int, nullptr);
  }
  if (g_installed->term_installed) {
    sigaction(SIGTERM, &g_installed->old_term, nullptr);
  }
  unsigned char stop = kStop;
  ssize_t ignored = write(g_pipe[1], &stop, 1);
  (void)ignored;
  g_installed->watcher.join();
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
  delete g_installed;
  g_installed = nullptr;
}

int InterruptSignal() { return g_interrupted.load(); }

std::string SignalName(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case kApplicationInterrupt:
      return "the application (RequestInterrupt)";
    default:
      return "signal " + std::to_string(signal);
  }
}

void RequestInterrupt(int signal) {
  g_signal_count.fetch_add(1);
  Interrupt(signal);
}

void ResetInterrupt() {
  g_signal_count.store(0);
  g_interrupted.store(0);
}

void RequestInterrupt() { RequestInterrupt(kApplicationInterrupt); }

void ClearInterrupt() { ResetInterrupt(); }

std::string InterruptSignalName(int signal) { return SignalName(signal); }

struct SignalHandler::Impl {
  explicit Impl(bool announce) : handler(announce) {}
  InterruptHandler handler;
};

SignalHandler::SignalHandler(bool announce)
    : impl_(std::make_unique<Impl>(announce)) {}

SignalHandler::~SignalHandler() = default;

bool SleepUnlessInterrupted(int ms) {
  std::unique_lock<std::mutex> lock(g_mu);
  return g_cv.wait_for(lock, std::chrono::milliseconds(ms),
                       [] { return g_interrupted.load() != 0; });
}

ScopedCancelHook::ScopedCancelHook(std::function<void()> cancel) {
  std::lock_guard<std::mutex> lock(g_mu);
  id_ = g_next_hook++;
  g_hooks.emplace(id_, std::move(cancel));
}

ScopedCancelHook::~ScopedCancelHook() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_hooks.erase(id_);
}

}  // namespace retort
