// Requests to stop cleanly: SIGUSR1 (SLURM's warning before the time limit, --signal), SIGTERM (preemption,
// scancel, the local runner's death) and SIGINT (Ctrl-C). The handler only records the signal; long loops
// poll stop_requested() at points where they can write a checkpoint and leave. A second SIGINT kills at once.
#pragma once

#include <stdexcept>
#include <string>

namespace gftlab {

void install_stop_handlers();
// While `pid` > 0, the handled signals are also passed on to that child (a sweep worker's current run).
void forward_stop_signals_to(int pid);
bool stop_requested();
// The signal that asked to stop (0 if none), and its name ("SIGUSR1", ...).
int stop_signal();
std::string stop_signal_name();

// Thrown by a loop that stopped on request after saving its checkpoint; the CLI exits with kExitInterrupted.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kExitInterrupted = 4;

}  // namespace gftlab
