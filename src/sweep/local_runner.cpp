#include "sweep/local_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "core/file_lock.h"
#include "core/stop_signal.h"
#include "io/run_file_reader.h"
#include "method/method.h"
#include "run/runner.h"
#include "sweep/child_process.h"
#include "train/pretrained_store.h"

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

struct PoolTask {
  std::vector<std::string> command;
  std::string log;
};

// Runs the tasks as child processes, at most `jobs` at a time; on_end(index, exit code, seconds) as each ends.
void run_pool(const std::vector<PoolTask>& tasks, int jobs, const std::function<void(size_t, int, double)>& on_end) {
  std::map<pid_t, std::pair<size_t, std::chrono::steady_clock::time_point>> running;
  size_t next = 0;
  while (next < tasks.size() || !running.empty()) {
    while (next < tasks.size() && static_cast<int>(running.size()) < jobs) {
      running[spawn_logged(tasks[next].command, tasks[next].log, false)] = {next, std::chrono::steady_clock::now()};
      ++next;
    }
    int wstatus = 0;
    const pid_t pid = waitpid(-1, &wstatus, 0);
    if (pid < 0) break;
    const auto [index, started] = running.at(pid);
    running.erase(pid);
    on_end(index, exit_code_of(wstatus),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

// The pretrained models that the runs share and the store lacks, trained before the runs with the cores split
// between them. Otherwise the first run of each trains it on its job's share of the cores while the runs
// that need it wait on its lock. A failure is reported here and again by every run that needs the model.
void pretrain_missing(const SweepPlan& plan, const std::vector<const PlannedRun*>& runs, int cores, int jobs,
                      const std::string& exe) {
  std::map<std::string, const PlannedRun*> missing;  // the model's path in its store -> a run that needs it
  for (const auto* run : runs) {
    if (!uses_pretrained(run->config)) continue;
    const auto path = pretrained_path(run->config);
    if (!fs::exists(path)) missing.emplace(path, run);
  }
  if (missing.empty()) return;
  const int parallel = std::min(jobs, static_cast<int>(missing.size()));
  const int threads = std::max(1, cores / parallel);
  std::vector<PoolTask> tasks;
  std::vector<std::string> paths;
  for (const auto& [path, run] : missing) {
    // Numbered as well: the same id may be missing from two stores (an arm with its own pretrained_dir).
    const auto log = fmt::format("pretrain-{}-{}.log", tasks.size(), pretrained_id(run->config));
    tasks.push_back(
        {{exe, "--threads", std::to_string(threads), "pretrain", config_file_of(plan.directory, run->run_id)},
         (fs::path(plan.directory) / "logs" / log).string()});
    paths.push_back(path);
  }
  fmt::print("pretraining {} model(s) first: {} at a time x {} threads\n", tasks.size(), parallel, threads);
  std::fflush(stdout);
  run_pool(tasks, parallel, [&](size_t i, int code, double seconds) {
    if (code == 0)
      fmt::print("pretrained {} ({:.1f} s)\n", paths[i], seconds);
    else
      fmt::print("pretraining {} FAILED (exit {}): {}\n", paths[i], code, first_error_line(tasks[i].log));
    std::fflush(stdout);
  });
}

// Whether another process holds the run's writer lock (runner.cpp: <run file>.lock): a second `sweep run` beside
// a live one leaves that run to it instead of waiting, failing and marking it failed.
bool running_elsewhere(const std::string& run_file) {
  const auto path = fs::path(run_file).replace_extension(".lock").string();
  if (!fs::exists(path)) return false;
  const FileLock probe(path, false);
  return !probe.locked();
}

}  // namespace

std::string run_file_of(const std::string& sweep_dir, const std::string& run_id) {
  return (fs::path(sweep_dir) / "runs" / (run_id + ".h5")).string();
}

std::string log_file_of(const std::string& sweep_dir, const std::string& run_id) {
  return (fs::path(sweep_dir) / "logs" / (run_id + ".log")).string();
}

std::string run_file_of(const SweepPlan& plan, const PlannedRun& run) {
  return run_file_of(plan.directory, run.run_id);
}
std::string log_file_of(const SweepPlan& plan, const PlannedRun& run) {
  return log_file_of(plan.directory, run.run_id);
}

std::vector<std::string> worker_command(const std::string& exe, int threads, const std::string& sweep_dir,
                                        const std::string& run_id, const std::string& progress) {
  return {exe, "--threads", std::to_string(threads), "run", config_file_of(sweep_dir, run_id), "progress=" + progress};
}

RunOutcome record_outcome(const std::string& sweep_dir, const std::string& run_id, int code) {
  const auto log = log_file_of(sweep_dir, run_id);
  if (code == 0) return {"complete", true};
  if (code == 3) return {"diverged", true};
  if (code == kExitInterrupted) return {"interrupted; its checkpoint continues it", false};
  std::ofstream(log + ".failed") << code << "\n";
  return {fmt::format("FAILED (exit {}): {}", code, first_error_line(log)), false};
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
    e.checkpoint =
        e.state != RunState::kComplete && e.state != RunState::kDiverged && fs::exists(checkpoint_path_of(file));
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

  std::vector<const PlannedRun*> to_run, elsewhere;
  for (const auto& e : sweep_status(plan))
    if (e.state == RunState::kPending || e.state == RunState::kFailed)
      (running_elsewhere(run_file_of(plan, *e.run)) ? elsewhere : to_run).push_back(e.run);
  const size_t done_before = plan.runs.size() - to_run.size() - elsewhere.size();
  fmt::print("{}: {} runs, {} already done, {} running elsewhere, {} to run with {} jobs x {} threads\n",
             plan.directory, plan.runs.size(), done_before, elsewhere.size(), to_run.size(), jobs, threads);
  for (const auto* run : elsewhere)
    fmt::print("{} ({}, seed {}): running elsewhere (another process holds its lock); left to it\n", run->run_id,
               run->arm, run->seed);
  std::fflush(stdout);

  pretrain_missing(plan, to_run, cores, jobs, exe);
  std::vector<PoolTask> tasks;
  for (const auto* run : to_run) {
    const auto log = log_file_of(plan, *run);
    fs::remove(log + ".failed");
    tasks.push_back({worker_command(exe, threads, plan.directory, run->run_id, "none"), log});
  }
  size_t finished = 0;
  int failed = 0;
  run_pool(tasks, jobs, [&](size_t i, int code, double seconds) {
    const PlannedRun* run = to_run[i];
    const auto outcome = record_outcome(plan.directory, run->run_id, code);
    if (!outcome.done) ++failed;
    fmt::print("[{}/{}] {} {} seed {}: {} ({:.1f} s)\n", done_before + ++finished, plan.runs.size(), run->run_id,
               run->arm, run->seed, outcome.text, seconds);
    std::fflush(stdout);
  });
  return failed;
}

}  // namespace gftlab
