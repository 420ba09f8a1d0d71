// The local sweep runner: runs a planned sweep's missing runs as `gftlab run` worker processes, at most
// `jobs` at a time with the cores split between them. A run is done when its run file exists (run files
// appear only when complete), so a killed sweep restarted later redoes exactly the runs without one, each
// from its checkpoint. Workers get SIGTERM when the runner dies (PR_SET_PDEATHSIG): they write a checkpoint
// and stop. SLURM array tasks run the same per-run command (sweep/slurm_worker.h).
#pragma once

#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

namespace gftlab {

enum class RunState { kComplete, kDiverged, kFailed, kPending };

struct RunStatusEntry {
  const PlannedRun* run;
  RunState state;
  std::string error;        // kFailed: the first error line of its log
  bool checkpoint = false;  // not done, but a checkpoint continues it
};

// <directory>/runs/<run_id>.h5, <directory>/logs/<run_id>.log
std::string run_file_of(const std::string& sweep_dir, const std::string& run_id);
std::string log_file_of(const std::string& sweep_dir, const std::string& run_id);
std::string run_file_of(const SweepPlan& plan, const PlannedRun& run);
std::string log_file_of(const SweepPlan& plan, const PlannedRun& run);

// `gftlab --threads N run <directory>/configs/<run_id>.yaml progress=P`: how every backend runs one run.
std::vector<std::string> worker_command(const std::string& exe, int threads, const std::string& sweep_dir,
                                        const std::string& run_id, const std::string& progress);

struct RunOutcome {
  std::string text;  // "complete", "diverged", "interrupted; ...", "FAILED (exit N): <its error line>"
  bool done;         // complete or diverged: the run file exists
};
// What a `gftlab run` exit code means; a failure leaves <log>.failed for `sweep status`.
RunOutcome record_outcome(const std::string& sweep_dir, const std::string& run_id, int code);

std::vector<RunStatusEntry> sweep_status(const SweepPlan& plan);

struct LocalRunSettings {
  int jobs = 1;
  int threads = 0;          // in total (0: all cores), split between the jobs
  std::string gftlab = "";  // the executable ("": this one)
};

// Runs what is not complete or diverged (continuing checkpointed runs); returns the number of runs that
// failed or were interrupted.
int run_sweep_locally(const SweepPlan& plan, const LocalRunSettings& settings);

}  // namespace gftlab
