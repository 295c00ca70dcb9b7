// Stopping a run in flight: from the application (RequestInterrupt), or
// from Ctrl-C / SIGTERM in a command-line program that asks for it
// (SignalHandler).
#ifndef RETORT_INTERRUPT_H_
#define RETORT_INTERRUPT_H_

#include <memory>
#include <string>

#include "retort/export.h"

namespace retort {

// Stops the run in flight, as Ctrl-C does in the CLI: the statement
// running is cancelled (PQcancel, sqlite3_interrupt), the transaction
// rolls back, the migration lock is released, and the run returns
// Status::Code::kInterrupted naming what it was doing. Call it from any
// thread -- not from inside a signal handler: from the thread that handles
// the signal. The library never installs signal handlers by itself. Runs
// started later stop at once too, until ClearInterrupt().
RETORT_EXPORT void RequestInterrupt();

// Forgets an interrupt, so that the next run may start.
RETORT_EXPORT void ClearInterrupt();

// What interrupted the process, if anything: the signal's number (SIGINT,
// SIGTERM), -1 for RequestInterrupt(), 0 when nothing did.
RETORT_EXPORT int InterruptSignal();

// "SIGINT", "SIGTERM", "the application (RequestInterrupt)", "signal N".
RETORT_EXPORT std::string InterruptSignalName(int signal);

// For command-line programs: while it lives, SIGINT and SIGTERM interrupt
// the run in flight as RequestInterrupt() does (the handler only writes
// to a pipe; a watcher thread does the rest), and a second signal exits
// the process at once with status 128 + signal. The previous handlers
// come back when it is destroyed; a signal ignored when it was installed
// (a background job of a non-interactive shell) stays ignored. One at a
// time per process. Applications with signal handling of their own call
// RequestInterrupt() from it instead.
class RETORT_EXPORT SignalHandler {
 public:
  // `announce`: on the first signal, say on stderr that the statement in
  // flight is being cancelled and that a second signal exits at once.
  explicit SignalHandler(bool announce = true);
  ~SignalHandler();
  SignalHandler(const SignalHandler&) = delete;
  SignalHandler& operator=(const SignalHandler&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace retort

#endif  // RETORT_INTERRUPT_H_
