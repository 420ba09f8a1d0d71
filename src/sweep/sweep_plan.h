// Sweep files (experiments/*.yaml): compose run configs from `base:` files, `set:`, a profile, named
// `arms:`, a `grid:` (cartesian), a `zip:` (lockstep) and `seeds:`, then expand them into planned runs.
// Every error is a ConfigError naming the experiment file, line and key path.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "sweep/report_block.h"

namespace gftlab {

// An arm as the experiment file declares it: the run-config keys its block sets (YAML text, in the file's
// order), which summary.h5's /arms carries so that the analysis describes an arm without knowing any method.
struct PlannedArm {
  std::string name;
  std::vector<std::pair<std::string, std::string>> settings;
};

struct PlannedRun {
  std::string run_id;
  std::string arm;
  int64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> point;  // grid and zip keys with their values (YAML)
  Config config;
};

// The experiment's `slurm:` block with the chosen profile's `slurm:` over it: defaults for `gftlab sweep
// submit` (values are checked when the script is written; see sweep/slurm_script.h).
struct SlurmBlock {
  std::map<std::string, std::string> options;  // key (as in kSlurmOptionKeys) -> value
  std::vector<std::string> sbatch;             // extra `#SBATCH` options, e.g. "--gres=gpu:1"
  std::vector<std::string> setup;              // shell lines run before the worker, e.g. "module load cuda"
};

// The scalar keys of a `slurm:` block (besides the lists `sbatch` and `setup`).
const std::vector<std::string>& slurm_option_keys();

// Experiment, profile and arm names become directory names and job names: letters, digits, '.', '_', '-',
// not starting with '.' or '-'.
bool is_safe_name(const std::string& name);

struct SweepPlan {
  std::string experiment;   // the file's `name:`, default its stem
  std::string description;  // the file's `description:` (the question the sweep answers), or ""
  std::string profile;
  std::string directory;  // <results>/<experiment>/<profile>
  SlurmBlock slurm;
  ReportSettings report;
  std::vector<PlannedArm> arms;  // those run at this profile, in the file's order
  std::vector<PlannedRun> runs;
};

// The profiles every experiment defines.
const std::vector<std::string>& required_profiles();

// A sweep larger than this is refused before anything is built (--max-runs raises it).
constexpr int64_t kDefaultMaxRuns = 100000;

// `overrides` (key=value) apply to every run, last.
SweepPlan plan_sweep(const std::string& file, const std::string& profile, const std::vector<std::string>& overrides,
                     const std::string& results_root = "results", int64_t max_runs = kDefaultMaxRuns);

// <sweep_dir>/configs/<run_id>.yaml: the resolved configuration write_manifest writes for each run.
std::string config_file_of(const std::string& sweep_dir, const std::string& run_id);

// Writes <directory>/manifest.jsonl (one JSON object per run: run_id, arm, seed, point, config path and the
// resolved config) and <directory>/configs/<run_id>.yaml, each atomically.
void write_manifest(const SweepPlan& plan);
// The same lines for some of the runs only (what one SLURM array covers).
void write_array_manifest(const SweepPlan& plan, const std::vector<const PlannedRun*>& runs, const std::string& path);

struct ManifestEntry {
  std::string run_id, arm;
  int64_t seed = 0;
  std::string config_path;  // <sweep directory>/configs/<run_id>.yaml
};
std::vector<ManifestEntry> read_manifest(const std::string& path);
std::string sweep_directory_of(const ManifestEntry& entry);

}  // namespace gftlab
