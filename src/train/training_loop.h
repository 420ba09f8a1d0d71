// The loop that pretraining and fine-tuning both run: steps from where the trainer stands to `steps`, the
// step series flushed every `flush_every` steps or 5 s (and before an evaluation, a checkpoint and the end), a
// non-finite loss ending it as diverged, progress, the checkpoint clock and stop requests. What differs
// between the two (what is logged, when to evaluate, what a checkpoint holds) is in the hooks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "train/trainer.h"

namespace gftlab {

class CheckpointClock;
class Progress;

struct LoopHooks {
  std::function<bool(int64_t step)> evaluates_at;          // a step after which the caller evaluates (flushed first)
  std::function<void(double seconds)> step_seconds;        // time spent inside one optimisation step
  std::function<void(int64_t step)> after_step;            // after every step, before its flush (probes)
  std::function<void(const SeriesChunk& chunk)> on_chunk;  // every flushed chunk, a diverged one included
  std::function<void(int64_t step)> evaluate;              // at the steps evaluates_at names
  std::function<void(int64_t step)> save_checkpoint;       // when the clock or a stop request says so
  std::function<std::string(int64_t step)> stopped;        // the message of the Interrupted thrown after a stop
};

struct LoopEnd {
  bool diverged = false;
  int64_t diverged_step = -1;  // the first step with a non-finite loss
};

// Steps are numbered from 1: step s is the s-th optimisation step done. Throws Interrupted after saving a
// checkpoint on a stop request (core/stop_signal.h).
LoopEnd run_training_loop(Trainer& trainer, int64_t steps, int64_t flush_every, Progress& progress,
                          CheckpointClock& clock, const LoopHooks& hooks);

}  // namespace gftlab
