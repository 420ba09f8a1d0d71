#include "sweep/local_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <thread>

#include "core/stop_signal.h"
#include "io/run_file_reader.h"

namespace gftlab {
namespace {

namespace fs = std::filesystem;

std::string first_error_line(const std::string& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("gftlab:", 0) == 0) return line;
  return "no error message (killed?)";
}

std::string self_executable() { return fs::read_symlink("/proc/self/exe").string(); }

// Temporary run files of workers that no longer exist (a killed sweep) are removed before restarting.
void remove_orphaned_temporaries(const fs::path& runs) {
  if (!fs::exists(runs)) return;
  for (const auto& entry : fs::directory_iterator(runs)) {
    const auto name = entry.path().filename().string();
    const auto mark = name.rfind(".tmp.");
    if (mark == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + mark + 5));
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) fs::remove(entry.path());
  }
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The runner may have died between fork() and prctl(): then no signal will come, so do not start.
  if (getppid() != parent) _exit(128 + SIGTERM);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

std::string run_file_of(const SweepPlan& plan, const PlannedRun& run) {
  return (fs::path(plan.directory) / "runs" / (run.run_id + ".h5")).string();
}

std::string log_file_of(const SweepPlan& plan, const PlannedRun& run) {
  return (fs::path(plan.directory) / "logs" / (run.run_id + ".log")).string();
}

std::vector<RunStatusEntry> sweep_status(const SweepPlan& plan) {
  std::vector<RunStatusEntry> out;
  for (const auto& run : plan.runs) {
    RunStatusEntry e{&run, RunState::kPending, ""};
    const auto file = run_file_of(plan, run), log = log_file_of(plan, run);
    if (fs::exists(file)) {
      e.state = read_run_attribute(file, "status") == "complete" ? RunState::kComplete : RunState::kDiverged;
    } else if (fs::exists(log + ".failed")) {
      e.state = RunState::kFailed;
      e.error = first_error_line(log);
    }
    out.push_back(e);
  }
  return out;
}

int run_sweep_locally(const SweepPlan& plan, const LocalRunSettings& s) {
  remove_orphaned_temporaries(fs::path(plan.directory) / "runs");
  fs::create_directories(fs::path(plan.directory) / "logs");
  const int cores = s.threads > 0 ? s.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = std::max(1, s.jobs);
  const int threads = std::max(1, cores / jobs);
  const std::string exe = s.gftlab.empty() ? self_executable() : s.gftlab;

  std::vector<const PlannedRun*> to_run;
  for (const auto& e : sweep_status(plan))
    if (e.state == RunState::kPending || e.state == RunState::kFailed) to_run.push_back(e.run);
  const size_t done_before = plan.runs.size() - to_run.size();
  fmt::print("{}: {} runs, {} already done, {} to run with {} jobs x {} threads\n", plan.directory,
             plan.runs.size(), done_before, to_run.size(), jobs, threads);
  std::fflush(stdout);

  std::map<pid_t, std::pair<const PlannedRun*, std::chrono::steady_clock::time_point>> running;
  size_t next = 0, finished = 0;
  int failed = 0;
  while (next < to_run.size() || !running.empty()) {
    while (next < to_run.size() && static_cast<int>(running.size()) < jobs) {
      const PlannedRun* run = to_run[next++];
      const auto log = log_file_of(plan, *run);
      fs::remove(log + ".failed");
      const auto config = (fs::path(plan.directory) / "configs" / (run->run_id + ".yaml")).string();
      const pid_t pid = spawn({exe, "--threads", std::to_string(threads), "run", config, "progress=none"}, log);
      running[pid] = {run, std::chrono::steady_clock::now()};
    }
    int wstatus = 0;
    const pid_t pid = waitpid(-1, &wstatus, 0);
    if (pid < 0) break;
    const auto [run, started] = running.at(pid);
    running.erase(pid);
    const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string outcome = code == 0 ? "complete" : code == 3 ? "diverged" : fmt::format("FAILED (exit {})", code);
    if (code == kExitInterrupted) {
      ++failed;
      outcome = "interrupted; its checkpoint continues it at the next `sweep run`";
    } else if (code != 0 && code != 3) {
      ++failed;
      const auto log = log_file_of(plan, *run);
      std::ofstream(log + ".failed") << code << "\n";
      outcome += ": " + first_error_line(log);
    }
    fmt::print("[{}/{}] {} {} seed {}: {} ({:.1f} s)\n", done_before + ++finished, plan.runs.size(), run->run_id,
               run->arm, run->seed, outcome, seconds);
    std::fflush(stdout);
  }
  return failed;
}

}  // namespace gftlab
