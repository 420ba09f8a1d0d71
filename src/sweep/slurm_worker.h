// `gftlab sweep worker`: the body of one SLURM array task. It runs entries [index K, (index + 1) K) of an
// array manifest that have no run file yet, one after another, as `gftlab run` children on the task's CPUs,
// each logging to <sweep>/logs/<run_id>.log. USR1, TERM and INT are passed to the running child, which writes
// its checkpoint and stops; the worker then stops too, with exit 4, and the array script requeues the task.
#pragma once

#include <cstdint>
#include <string>

namespace gftlab {

// Exit code: 0 when every run of the task is complete or diverged, 4 when interrupted, 1 when a run failed.
int run_array_task(const std::string& manifest, int64_t index, int64_t runs_per_task, int threads);

// SLURM_CPUS_PER_TASK when set, else `fallback` (0: every core).
int slurm_task_threads(int fallback);

// "cuda" when the task was given GPUs (CUDA_VISIBLE_DEVICES lists some), else "": the runs then keep their
// configured `device`.
std::string slurm_task_device();

}  // namespace gftlab
