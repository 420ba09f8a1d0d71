#include "sweep/slurm_worker.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>
#include <thread>

#include "core/stop_signal.h"
#include "sweep/child_process.h"
#include "sweep/local_runner.h"
#include "sweep/sweep_plan.h"

namespace gftlab {

int slurm_task_threads(int fallback) {
  if (const char* env = std::getenv("SLURM_CPUS_PER_TASK"); env && std::atoi(env) > 0) return std::atoi(env);
  return fallback > 0 ? fallback : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string slurm_task_device() {
  // SLURM renumbers the GPUs it gives a task from 0; "-1" and an empty list (or no GPU asked for) mean none.
  const char* env = std::getenv("CUDA_VISIBLE_DEVICES");
  if (!env || !*env || std::string(env) == "-1" || std::string(env) == "NoDevFiles") return "";
  return "cuda";
}

int run_array_task(const std::string& manifest, int64_t index, int64_t runs_per_task, int threads) {
  const auto entries = read_manifest(manifest);
  const auto first = static_cast<size_t>(index * runs_per_task);
  if (index < 0 || runs_per_task < 1 || first >= entries.size())
    throw std::runtime_error(fmt::format("task {} with {} runs per task is beyond the {} entries of {}", index,
                                         runs_per_task, entries.size(), manifest));
  const size_t last = std::min(entries.size(), first + static_cast<size_t>(runs_per_task));
  const std::string exe = self_executable();
  const std::string device = slurm_task_device();
  const StopPoint polled;  // checked before each run, and forwarded to the run in progress
  int failed = 0;
  for (size_t k = first; k < last; ++k) {
    if (stop_requested()) return kExitInterrupted;
    const auto& e = entries[k];
    const auto dir = sweep_directory_of(e);
    if (std::filesystem::exists(run_file_of(dir, e.run_id))) {
      fmt::print("{} ({}, seed {}): already done\n", e.run_id, e.arm, e.seed);
      continue;
    }
    const auto log = log_file_of(dir, e.run_id);
    std::filesystem::create_directories(std::filesystem::path(log).parent_path());
    std::filesystem::remove(log + ".failed");
    fmt::print("{} ({}, seed {}): running with {} threads, log {}\n", e.run_id, e.arm, e.seed, threads, log);
    std::fflush(stdout);
    auto command = worker_command(exe, threads, dir, e.run_id, "lines");
    if (!device.empty()) command.push_back("device=" + device);  // an execution setting: the run_id stays
    const pid_t pid = spawn_logged(command, log, true);
    forward_stop_signals_to(pid);
    if (stop_requested()) kill(pid, stop_signal());  // it came before forwarding began
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    forward_stop_signals_to(0);
    // A child still starting up (before its handlers exist) dies of the signal instead of checkpointing.
    const int code =
        stop_requested() && exit_code_of(status) == 128 + stop_signal() ? kExitInterrupted : exit_code_of(status);
    const auto outcome = record_outcome(dir, e.run_id, code);
    fmt::print("{}: {}\n", e.run_id, outcome.text);
    std::fflush(stdout);
    if (code == kExitInterrupted) return kExitInterrupted;
    if (!outcome.done) ++failed;
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace gftlab
