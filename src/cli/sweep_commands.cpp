#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "sweep/collect.h"
#include "sweep/local_runner.h"
#include "sweep/sweep_plan.h"

namespace gftlab {
namespace {

void collect_and_print(const SweepPlan& plan) {
  const auto c = collect_sweep(plan);
  fmt::print("{}: {} complete, {} diverged, {} failed, {} pending\n", c.path, c.complete, c.diverged, c.failed,
             c.pending);
}

// The analysis scripts: GFTLAB_ANALYSIS_DIR when set (an installed copy), else the source tree's.
std::string analysis_dir() {
  const char* env = std::getenv("GFTLAB_ANALYSIS_DIR");
  return env && *env ? env : GFTLAB_ANALYSIS_DIR;
}

int run_and_wait(const std::vector<std::string>& argv) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int command_sweep_plan(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides);
  fmt::print("{:<16}  {:<20}  {:>5}  {}\n", "run_id", "arm", "seed", "point");
  for (const auto& run : plan.runs) {
    std::vector<std::string> point;
    for (const auto& [k, v] : run.point) point.push_back(k + "=" + v);
    fmt::print("{:<16}  {:<20}  {:>5}  {}\n", run.run_id, run.arm, run.seed, fmt::join(point, " "));
  }
  if (args.dry_run) {
    fmt::print("{} runs (dry run: nothing written)\n", plan.runs.size());
  } else {
    write_manifest(plan);
    fmt::print("{} runs; manifest: {}/manifest.jsonl\n", plan.runs.size(), plan.directory);
  }
  return 0;
}

int command_sweep_run(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides);
  write_manifest(plan);
  LocalRunSettings settings;
  settings.jobs = args.jobs;
  settings.threads = args.threads;
  const int failed = run_sweep_locally(plan, settings);
  if (failed > 0) fmt::print(stderr, "gftlab: {} run(s) failed; see `gftlab sweep status`\n", failed);
  return failed > 0 ? 1 : 0;
}

int command_sweep_status(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides);
  int counts[4] = {0, 0, 0, 0};
  const auto entries = sweep_status(plan);
  for (const auto& e : entries) ++counts[static_cast<int>(e.state)];
  fmt::print("{}: {} runs: {} complete, {} diverged, {} failed, {} pending\n", plan.directory, entries.size(),
             counts[0], counts[1], counts[2], counts[3]);
  for (const auto& e : entries)
    if (e.state == RunState::kFailed) fmt::print("  failed {} ({}, seed {}): {}\n", e.run->run_id, e.run->arm, e.run->seed, e.error);
  return 0;
}

int command_sweep_collect(const SweepArgs& args) {
  collect_and_print(plan_sweep(args.experiment, args.profile, args.overrides));
  return 0;
}

int command_report(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides);
  collect_and_print(plan);
  const int code = run_and_wait({GFTLAB_PYTHON, analysis_dir() + "/report.py", plan.directory});
  if (code != 0) fmt::print(stderr, "gftlab: error: the analysis ({}/report.py) exited with {}\n", analysis_dir(), code);
  return code == 0 ? 0 : 1;
}

}  // namespace gftlab
