// Sweep files (experiments/*.yaml): compose run configs from `base:` files, `set:`, a profile, named
// `arms:`, a `grid:` (cartesian), a `zip:` (lockstep) and `seeds:`, then expand them into planned runs.
// Every error is a ConfigError naming the experiment file, line and key path.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace gftlab {

struct PlannedRun {
  std::string run_id;
  std::string arm;
  int64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> point;  // grid and zip keys with their values (YAML)
  Config config;
};

struct SweepPlan {
  std::string experiment;  // the file's `name:`, default its stem
  std::string description;  // the file's `description:` (the question the sweep answers), or ""
  std::string profile;
  std::string directory;   // <results>/<experiment>/<profile>
  std::vector<PlannedRun> runs;
};

// The profiles every experiment defines.
const std::vector<std::string>& required_profiles();

// `overrides` (key=value) apply to every run, last.
SweepPlan plan_sweep(const std::string& file, const std::string& profile, const std::vector<std::string>& overrides,
                     const std::string& results_root = "results");

// Writes <directory>/manifest.jsonl (one JSON object per run: run_id, arm, seed, point, config path and the
// resolved config) and <directory>/configs/<run_id>.yaml, each atomically.
void write_manifest(const SweepPlan& plan);

}  // namespace gftlab
