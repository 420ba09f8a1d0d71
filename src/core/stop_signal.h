// Requests to stop cleanly: SIGUSR1 (SLURM's warning before the time limit, --signal), SIGTERM (preemption,
// scancel, the local runner's death) and SIGINT (Ctrl-C). While a StopPoint is alive (a run that has state,
// whose long stages poll stop_requested() where they can write a checkpoint and leave), the handler only
// records the signal. Outside one (parsing, planning, one-off stages), nothing would look at that record, so the
// signal takes its default action at once: the process ends with the signal's own status, and its files are left
// only under temporary names. A second SIGINT kills at once.
#pragma once

#include <stdexcept>
#include <string>

namespace gftlab {

void install_stop_handlers();
// While `pid` > 0, the handled signals are also passed on to that child (a sweep worker's current run).
void forward_stop_signals_to(int pid);
bool stop_requested();

// Arms the handlers for its lifetime (nestable). A signal that came before it was armed already ended the process.
class StopPoint {
 public:
  StopPoint();
  ~StopPoint();
  StopPoint(const StopPoint&) = delete;
  StopPoint& operator=(const StopPoint&) = delete;
};
// The signal that asked to stop (0 if none), and its name ("SIGUSR1", ...).
int stop_signal();
std::string stop_signal_name();

// Thrown by a stage that stopped on request (a training loop after saving its checkpoint); the CLI exits with
// kExitInterrupted.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the same command does after a stop in a stage that stores nothing until it ends.
inline constexpr const char* kStartsAgain = "nothing is stored yet, so the same command starts it again";
// ... and in a stage inside a run (an evaluation): the run's last checkpoint is where it goes on.
inline constexpr const char* kContinuesRun =
    "the same command continues the run from its last checkpoint (or starts it again if it has none)";

// Throws Interrupted ("SIGTERM stopped <stage>; <next>"): the answer of a stage that writes no checkpoint of its own.
[[noreturn]] void throw_stopped(const std::string& stage, const char* next);
// The poll of such a stage: nothing is built unless a stop was requested. A stage whose name must be formatted
// polls `if (stop_requested()) throw_stopped(...)` instead.
inline void stop_if_asked(const char* stage, const char* next = kStartsAgain) {
  if (stop_requested()) throw_stopped(stage, next);
}

constexpr int kExitInterrupted = 4;

}  // namespace gftlab
