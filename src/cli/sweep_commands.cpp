#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "io/tensorboard.h"
#include "sweep/child_process.h"
#include "sweep/collect.h"
#include "sweep/local_runner.h"
#include "sweep/slurm_jobs.h"
#include "sweep/slurm_worker.h"
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

// The run files' states, joined with SLURM's view of the array tasks when the sweep was submitted. True when
// every run is complete or diverged.
bool print_status(const SweepPlan& plan) {
  int counts[4] = {0, 0, 0, 0};
  int checkpoints = 0;
  const auto entries = sweep_status(plan);
  for (const auto& e : entries) {
    ++counts[static_cast<int>(e.state)];
    checkpoints += e.checkpoint;
  }
  fmt::print("{}: {} runs: {} complete, {} diverged, {} failed, {} pending{}\n", plan.directory, entries.size(),
             counts[0], counts[1], counts[2], counts[3],
             checkpoints > 0 ? fmt::format(" ({} with a checkpoint to continue from)", checkpoints) : "");
  const auto submissions = read_submissions(plan.directory);
  const auto slurm = slurm_run_states(submissions);
  if (!submissions.empty()) {
    const auto& last = submissions.back();
    fmt::print("SLURM: submission {} is array job {} ({} runs), collect job {}\n", last.number, last.array_job,
               last.run_ids.size(), last.collect_job);
  }
  for (const auto& e : entries) {
    if (e.state == RunState::kComplete || e.state == RunState::kDiverged) continue;
    const auto it = slurm.find(e.run->run_id);
    std::vector<std::string> notes;
    if (it != slurm.end()) notes.push_back(fmt::format("task {} {}", it->second.task, it->second.state));
    if (e.checkpoint) notes.push_back("checkpoint");
    if (e.state == RunState::kFailed) notes.push_back(e.error);
    if (e.state == RunState::kFailed || !notes.empty())
      fmt::print("  {:<7} {} ({}, seed {}): {}\n", e.state == RunState::kFailed ? "failed" : "pending", e.run->run_id,
                 e.run->arm, e.run->seed, fmt::join(notes, "; "));
  }
  return counts[2] == 0 && counts[3] == 0;
}

}  // namespace

int command_sweep_plan(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs);
  fmt::print("{:<16}  {:<20}  {:>5}  {}\n", "run_id", "arm", "seed", "point");
  for (const auto& run : plan.runs) {
    std::vector<std::string> point;
    for (const auto& [k, v] : run.point) point.push_back(k + "=" + v);
    fmt::print("{:<16}  {:<20}  {:>5}  {}\n", run.run_id, run.arm, run.seed, fmt::join(point, " "));
  }
  if (args.dry_run) {
    fmt::print("{}\n{} runs (dry run: nothing written)\n", plan.report.family_line(), plan.runs.size());
  } else {
    write_manifest(plan);
    fmt::print("{}\n{} runs; manifest: {}/manifest.jsonl\n", plan.report.family_line(), plan.runs.size(),
               plan.directory);
  }
  return 0;
}

int command_sweep_run(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs);
  write_manifest(plan);
  LocalRunSettings settings;
  settings.jobs = args.jobs;
  settings.threads = args.threads;
  const int failed = run_sweep_locally(plan, settings);
  if (failed > 0) fmt::print(stderr, "gftlab: {} run(s) failed; see `gftlab sweep status`\n", failed);
  return failed > 0 ? 1 : 0;
}

int command_sweep_status(const SweepArgs& args) {
  print_status(plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs));
  return 0;
}

int command_sweep_collect(const SweepArgs& args) {
  collect_and_print(plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs));
  return 0;
}

int command_sweep_submit(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs);
  const auto sub = submit_sweep(plan, {args.slurm, args.experiment, args.overrides, args.dry_run});
  if (sub.run_ids.empty()) {
    fmt::print("{}: nothing to submit: every run is done, queued or running\n", plan.directory);
    return print_status(plan) ? 0 : 1;
  }
  const auto tasks = (sub.run_ids.size() + sub.runs_per_task - 1) / sub.runs_per_task;
  if (args.dry_run) {
    fmt::print("dry run: {} runs in {} tasks; scripts {} and {}; nothing submitted\n", sub.run_ids.size(), tasks,
               sub.array_script, sub.collect_script);
    return 0;
  }
  fmt::print(
      "submitted array job {} ({} runs in {} tasks) and collect job {} after it\nscripts: {}, {}\nlogs: "
      "{}/slurm/logs/\n",
      sub.array_job, sub.run_ids.size(), tasks, sub.collect_job, sub.array_script, sub.collect_script, plan.directory);
  if (!args.wait) return 0;
  std::fflush(stdout);
  wait_for_jobs({sub.array_job, sub.collect_job});
  return print_status(plan) ? 0 : 1;
}

int command_sweep_resume(const SweepArgs& args) {
  return args.backend == "slurm" ? command_sweep_submit(args) : command_sweep_run(args);
}

int command_sweep_worker(const SweepArgs& args) {
  return run_array_task(args.manifest, args.index, args.runs_per_task, slurm_task_threads(args.threads));
}

int command_report(const SweepArgs& args) {
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs);
  collect_and_print(plan);
  const int code = run_command({GFTLAB_PYTHON, analysis_dir() + "/report.py", plan.directory}, false).code;
  if (code != 0)
    fmt::print(stderr, "gftlab: error: the analysis ({}/report.py) exited with {}\n", analysis_dir(), code);
  return code == 0 ? 0 : 1;
}

// The events of finished run files: one (RUN.h5 -> RUN.tensorboard/) or a sweep's (where its runs write theirs).
int command_export_tensorboard(const SweepArgs& args) {
  if (std::filesystem::path(args.experiment).extension() == ".h5") {
    const auto dir = events_directory_of(args.experiment);
    export_events(args.experiment, dir);
    fmt::print("{}: the events of {} (tensorboard --logdir {})\n", dir, args.experiment, dir);
    return 0;
  }
  const auto plan = plan_sweep(args.experiment, args.profile, args.overrides, "results", args.max_runs);
  int written = 0, off = 0;
  for (const auto& e : sweep_status(plan)) {
    if (e.state != RunState::kComplete && e.state != RunState::kDiverged) continue;
    const auto dir = e.run->config.get_string("output.tensorboard");
    if (dir == "off") {
      ++off;
      continue;
    }
    export_events(run_file_of(plan, *e.run), dir);
    ++written;
  }
  fmt::print("{}: the events of {} run files{} (tensorboard --logdir {}/tensorboard)\n", plan.directory, written,
             off > 0 ? fmt::format("; {} with output.tensorboard: off", off) : "", plan.directory);
  return 0;
}

}  // namespace gftlab
