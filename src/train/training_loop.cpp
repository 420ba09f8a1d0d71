#include "train/training_loop.h"

#include <chrono>

#include "core/stop_signal.h"
#include "io/progress.h"
#include "train/checkpoint.h"

namespace gftlab {

LoopEnd run_training_loop(Trainer& trainer, int64_t steps, int64_t flush_every, Progress& progress,
                          CheckpointClock& clock, const LoopHooks& hooks) {
  const StopPoint polled;  // a stop request is answered below, at the next step, with a checkpoint
  // A chunk is also written when a few seconds have passed (a slow image step): the run file's series, and the
  // TensorBoard events that follow them, are never more than that behind the training.
  constexpr double kFlushSeconds = 5.0;
  auto last_flush = std::chrono::steady_clock::now();
  for (int64_t s = trainer.steps_done() + 1; s <= steps; ++s) {
    const auto started = std::chrono::steady_clock::now();
    trainer.step();
    if (hooks.step_seconds) {
      trainer.synchronize();
      hooks.step_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (hooks.after_step) hooks.after_step(s);
    const bool evaluate_now = hooks.evaluates_at && hooks.evaluates_at(s);
    const bool checkpoint_now = s < steps && clock.due();
    const bool overdue =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush).count() > kFlushSeconds;
    if (s % flush_every != 0 && s != steps && !evaluate_now && !checkpoint_now && !overdue) continue;
    const auto chunk = trainer.flush();
    last_flush = std::chrono::steady_clock::now();
    if (hooks.on_chunk) hooks.on_chunk(chunk);
    if (chunk.first_nonfinite >= 0) return {true, chunk.step[chunk.first_nonfinite]};
    progress.update(s, chunk.loss.back());
    if (evaluate_now) hooks.evaluate(s);
    if (!checkpoint_now) continue;
    hooks.save_checkpoint(s);
    clock.restart();
    if (stop_requested()) throw Interrupted(hooks.stopped(s));
  }
  return {};
}

}  // namespace gftlab
