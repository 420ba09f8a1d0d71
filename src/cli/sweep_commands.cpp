#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
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

}  // namespace gftlab
