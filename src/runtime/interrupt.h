// Ctrl-C and SIGTERM during a run. The signal handler does nothing but
// write the signal's number to a pipe (async-signal-safe); a watcher
// thread reads it, marks the process interrupted and calls the cancel
// hooks the runs registered (PQcancel of the statement in flight,
// sqlite3_interrupt). The run then sees its statement fail, rolls back,
// releases the migration lock and returns Status::Interrupted naming what
// it was doing; the CLI exits 128 + signal. A second signal exits at once,
// from the handler, with _exit(128 + signal).
//
// The library never installs handlers by itself: the CLI's run commands do
// (InterruptHandler); an embedding application calls RequestInterrupt()
// from its own handling.
#ifndef RETORT_RUNTIME_INTERRUPT_H_
#define RETORT_RUNTIME_INTERRUPT_H_

#include <functional>
#include <string>

#include "retort/interrupt.h"

namespace retort {

// InterruptHandler installs the SIGINT and SIGTERM handlers and starts the
// watcher thread for its lifetime; the destructor restores the previous
// handlers. One at a time per process. A signal whose disposition was
// SIG_IGN when it was installed (a background job of a non-interactive
// shell) stays ignored.
class InterruptHandler {
 public:
  // `announce`: on the first signal, print on stderr that the statement in
  // flight is being cancelled and that a second signal exits at once.
  explicit InterruptHandler(bool announce = true);
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;
};

// What retort::RequestInterrupt() (retort/progress.h) marks the process
// interrupted with: no signal, the application asked.
constexpr int kApplicationInterrupt = -1;

// InterruptSignal(), RequestInterrupt(), ClearInterrupt() and the CLI's
// SignalHandler (an InterruptHandler) are public: retort/interrupt.h.
inline bool Interrupted() { return InterruptSignal() != 0; }

// "SIGINT", "SIGTERM", or "signal N".
std::string SignalName(int signal);

// As if `signal` had arrived once: marks the process interrupted and calls
// the cancel hooks (on the calling thread). For embedders and tests.
void RequestInterrupt(int signal);

// Forgets an interrupt (tests, or an embedder that handled it).
void ResetInterrupt();

// Sleeps up to `ms` milliseconds; returns true early when interrupted.
bool SleepUnlessInterrupted(int ms);

// ScopedCancelHook registers `cancel` for its lifetime: it is called (on
// the watcher thread, or the thread calling RequestInterrupt) when an
// interrupt arrives. It must be thread-safe with respect to the code it
// cancels (PQcancel and sqlite3_interrupt are).
class ScopedCancelHook {
 public:
  explicit ScopedCancelHook(std::function<void()> cancel);
  ~ScopedCancelHook();
  ScopedCancelHook(const ScopedCancelHook&) = delete;
  ScopedCancelHook& operator=(const ScopedCancelHook&) = delete;

 private:
  int id_;
};

}  // namespace retort

#endif  // RETORT_RUNTIME_INTERRUPT_H_
