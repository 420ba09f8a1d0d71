// A run's checkpoint, <run file stem>.ckpt beside the run file: the trainer's state, the run file's bytes so
// far, the stability history and the elapsed time. A run continued from it writes the run file that the
// uninterrupted run would have written: the same data bit for bit on CPU with the same thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/checkpoint.h"
#include "train/trainer.h"

namespace gftlab {

// Everything the stability measurements need, gathered while the run writes its series.
struct History {
  std::vector<int64_t> steps, eval_steps;
  std::vector<double> loss, grad_norm, quality;
  std::vector<double> fm_loss;  // empty for methods that draw no target batch
  void add(const SeriesChunk& chunk, size_t n);
};

struct RunCheckpoint {
  std::string run_id;
  int64_t step = 0;            // training steps done
  double seconds = 0.0;        // wall time spent so far
  double train_seconds = 0.0;  // of it, inside fine-tuning steps
  int64_t resumes = 0;         // how often the run has been continued before
  std::vector<uint8_t> log;
  History history;
};

void write_run_checkpoint(const std::string& path, const RunCheckpoint& checkpoint, Trainer& trainer);
// False when there is no checkpoint at `path`; `trainer_state` is then left alone, else it holds what
// Trainer::load needs.
bool read_run_checkpoint(const std::string& path, RunCheckpoint& checkpoint,
                         torch::serialize::InputArchive& trainer_state);

}  // namespace gftlab
