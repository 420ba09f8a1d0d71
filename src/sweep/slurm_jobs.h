// A sweep on SLURM: submitting job arrays and asking SLURM about them. Submission k writes under
// <sweep>/slurm/: array-<k>.jsonl (the runs it covers, in task order), array-<k>.sbatch, collect-<k>.sbatch,
// and a line in submissions.jsonl with the job ids; the tasks' logs go to slurm/logs/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

namespace gftlab {

struct SubmitSettings {
  std::map<std::string, std::string> options;  // from the command line, keys as in slurm_option_keys()
  std::string experiment_file;
  std::vector<std::string> overrides;
  bool dry_run = false;
};

struct Submission {
  int64_t number = 0;
  std::string array_job, collect_job;  // empty for a dry run
  std::string manifest, array_script, collect_script;
  int64_t runs_per_task = 1;
  std::vector<std::string> run_ids;  // task i covers [i K, (i + 1) K)
};

// Submits the runs that are neither done nor pending/running in an earlier submission (none: run_ids is
// empty and nothing is written). A dry run writes the scripts and submits nothing.
Submission submit_sweep(const SweepPlan& plan, const SubmitSettings& settings);

std::vector<Submission> read_submissions(const std::string& sweep_dir);

struct TaskState {
  std::string task;     // <array job>_<index>
  std::string state;    // PENDING, RUNNING, TIMEOUT, ... as squeue or sacct say; "unknown" when neither knows
  bool active = false;  // pending, running or about to run again
};
// For each run of the latest submission that covers it: its array task's state, from squeue, and from sacct
// for finished tasks when the cluster keeps accounting.
std::map<std::string, TaskState> slurm_run_states(const std::vector<Submission>& submissions);

// Blocks until SLURM lists none of these jobs (or their array tasks) as pending or running.
void wait_for_jobs(const std::vector<std::string>& job_ids);

}  // namespace gftlab
