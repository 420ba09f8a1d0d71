#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "sweep/local_runner.h"
#include "sweep/sweep_plan.h"

namespace gftlab {

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

}  // namespace gftlab
