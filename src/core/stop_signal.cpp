#include "core/stop_signal.h"

#include <signal.h>
#include <string.h>

#include <initializer_list>

namespace gftlab {
namespace {

volatile sig_atomic_t g_signal = 0;
volatile sig_atomic_t g_forward_pid = 0;
volatile sig_atomic_t g_armed = 0;

void on_signal(int sig) {
  if (g_armed == 0) {  // nothing polls: the default action, now (signal and raise are async-signal-safe)
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  if (g_signal == 0) g_signal = sig;
  if (g_forward_pid > 0) kill(g_forward_pid, sig);
}

}  // namespace

void install_stop_handlers() {
  for (const int sig : {SIGUSR1, SIGTERM, SIGINT}) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    // Interrupted system calls restart (HDF5 and file writes need not handle EINTR); SIGINT falls back to
    // its default after the first, so an impatient second Ctrl-C still ends the process.
    action.sa_flags = SA_RESTART | (sig == SIGINT ? SA_RESETHAND : 0);
    sigaction(sig, &action, nullptr);
  }
}

void forward_stop_signals_to(int pid) { g_forward_pid = pid; }

bool stop_requested() { return g_signal != 0; }

StopPoint::StopPoint() { g_armed = g_armed + 1; }
StopPoint::~StopPoint() { g_armed = g_armed - 1; }
int stop_signal() { return g_signal; }

std::string stop_signal_name() {
  if (g_signal == 0) return "";
  const char* abbrev = sigabbrev_np(g_signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(g_signal);
}

void throw_stopped(const std::string& stage, const char* next) {
  throw Interrupted(stop_signal_name() + " stopped " + stage + "; " + next);
}

}  // namespace gftlab
