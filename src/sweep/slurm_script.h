// sbatch scripts for a sweep: one job array whose task i runs entries [i K, (i + 1) K) of an array manifest
// through `gftlab sweep worker`, and a collect job that runs after it. Nothing from a config or the command
// line reaches a script unchecked: sbatch options must match what SLURM accepts (and cannot hold a newline),
// paths and overrides are single-quoted, names are is_safe_name(). `setup:` lines are shell code by design
// (module loads) and must each be one line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

namespace gftlab {

struct SlurmOptions {
  std::string partition, time, mem;  // empty: the cluster's default
  std::string gpus_per_task, gres;   // GPUs: --gpus-per-task=[type:]N, --gres=gpu[:type]:N (empty: none)
  int64_t cpus_per_task = 1;
  int64_t runs_per_task = 1;
  int64_t max_parallel = 0;      // 0: no limit (the array's %P)
  int64_t signal_seconds = 300;  // USR1 this long before the time limit: time to write a checkpoint
  std::vector<std::string> sbatch, setup;
};

// The experiment's block with the command line's values (same keys) over it; ConfigError naming the key,
// the bad value and what is allowed.
SlurmOptions resolve_slurm_options(const SlurmBlock& block, const std::map<std::string, std::string>& command_line);

// A single-quoted shell word that bash reads back as exactly `value`.
std::string shell_quote(const std::string& value);

struct ArrayJob {
  std::string name;         // job name, from safe names
  std::string description;  // for the header comment (safe names and numbers)
  std::string gftlab;       // the executable, absolute
  std::string workdir;      // absolute; the script works there
  std::string manifest;     // the array manifest, relative to workdir
  std::string log_dir;      // relative to workdir, from safe names
  int64_t tasks = 0;
};
std::string array_script(const ArrayJob& job, const SlurmOptions& options);

struct CollectJob {
  std::string name, gftlab, workdir, log_dir;
  std::string experiment;  // the experiment file, absolute
  std::string profile;
  std::vector<std::string> overrides;
};
std::string collect_script(const CollectJob& job, const SlurmOptions& options);

}  // namespace gftlab
