// The flow-matching training loop shared by pretraining and fine-tuning. Per step it draws a batch,
// pairs it (Coupling), samples the path (Path), asks the Method for the loss, clips and steps Adam,
// and updates the EMA. A method that learns from the noise alone (Method::draws_target_batches) gets only
// the noise: no target batch, assignment or path sample. Losses and gradient norms stay tensors until
// flush(): no per-step host sync.
#pragma once

#include <torch/optim/adam.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coupling/coupling.h"
#include "method/method.h"
#include "path/path.h"
#include "train/lr_schedule.h"

namespace gftlab {

using DrawBatch = std::function<at::Tensor(int64_t n, at::Generator& gen)>;

// The training data as the trainer sees it: `draw` gives n samples [n, sample_shape...].
struct BatchSource {
  DrawBatch draw;
  std::vector<int64_t> sample_shape;
};

struct TrainSettings {
  int64_t steps = 0;
  int64_t batch_size = 256;
  LrSchedule lr;
  double grad_clip = 1.0;
  double ema_decay = 0.999;
  static TrainSettings from_config(const Config& cfg, const std::string& prefix);
};

// Host copy of the per-step series recorded since the previous flush.
struct SeriesChunk {
  std::vector<int64_t> step;
  std::vector<double> loss, grad_norm, lr;
  std::vector<double> fm_loss;             // empty when the method draws no target batch
  std::vector<std::vector<double>> extra;  // [series][step], names from Trainer::series_names()
  int64_t first_nonfinite = -1;            // index into the chunk of the first non-finite loss
};

class Trainer {
 public:
  // `ema_shadow` is a second instance of the same architecture; it becomes the EMA of `model`.
  Trainer(FieldPtr model, FieldPtr ema_shadow, Method& method, const Path& path, const Coupling& coupling,
          BatchSource data, TrainSettings settings, at::Generator gen);
  void step();
  SeriesChunk flush();
  int64_t steps_done() const { return step_; }
  // The method's series, its cost (nfe, vjp), then the coupling's (when it pairs target batches).
  std::vector<std::string> series_names() const;
  Ema& ema() { return ema_; }
  // Where the model is (its device when the trainer was built): batches are drawn on the CPU and moved there.
  const at::Device& device() const { return device_; }
  // Waits for the work queued on the device (nothing to wait for on the CPU): a clock read after it times the
  // steps themselves, not just their queueing.
  void synchronize() const;
  // Everything the following steps depend on: weights, EMA, Adam's moments, the generator and the step. A
  // trainer built the same way and restored from it continues bit-identically on CPU. Only between flushes.
  // Weights are written as CPU tensors; a load (of an archive read onto the CPU) puts everything back on
  // this trainer's device, so a run preempted on one device continues on another.
  void save(torch::serialize::OutputArchive& archive);
  void load(torch::serialize::InputArchive& archive);

 private:
  // The step's batch, and the coupling's series of its pairing (none for a noise-only method).
  StepBatch draw_batch(std::vector<at::Tensor>& coupling_series);
  void move_optimiser_state(const at::Device& device);

  FieldPtr model_;
  std::vector<at::Tensor> params_;  // model_->parameters(), taken once (see Ema)
  at::Device device_;
  Method& method_;
  const Path& path_;
  const Coupling& coupling_;
  BatchSource data_;
  TrainSettings settings_;
  at::Generator gen_;
  Ema ema_;
  torch::optim::Adam optimiser_;
  int64_t step_ = 0;
  std::vector<at::Tensor> pending_loss_, pending_fm_loss_, pending_grad_norm_;
  std::vector<double> pending_lr_;
  std::vector<std::vector<double>> pending_method_;
  std::vector<std::vector<at::Tensor>> pending_coupling_;
};

}  // namespace gftlab
