#include "train/trainer.h"

#include <torch/cuda.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>

#include <stdexcept>

#include "core/config.h"
#include "core/names.h"

namespace gftlab {
namespace {

const std::vector<std::string> kCostSeries = {"nfe", "vjp"};  // Method::cost, after the method's own series

// Batches are drawn (data, coupling, path) on the CPU, from CPU generators, and then moved (nothing to do on
// the CPU). From pinned memory the copy is asynchronous: the step's kernels queue behind it, and the host goes
// on instead of waiting for the GPU to finish what it has queued.
StepBatch on_device(StepBatch b, const at::Device& device) {
  if (device.is_cpu()) return b;
  for (at::Tensor* x : {&b.t, &b.x0, &b.x1, &b.xt, &b.u})
    if (x->defined()) *x = x->pin_memory().to(device, /*non_blocking=*/true);
  return b;
}

// The global gradient norm, and the gradients scaled to at most `limit` (0: unclipped). On a GPU, one
// multi-tensor kernel per operation instead of one kernel per parameter tensor (~200 of the U-Net's); the
// CPU keeps its loop, whose results the tests pin bit for bit.
at::Tensor clip_gradients(const std::vector<at::Tensor>& params, double limit, bool multi_tensor) {
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  at::Tensor norm;
  if (multi_tensor) {
    norm = at::stack(at::_foreach_norm(grads)).norm();
  } else {
    std::vector<at::Tensor> norms;
    for (const auto& g : grads) norms.push_back(g.norm());
    norm = at::stack(norms).norm();
  }
  if (limit <= 0) return norm;
  // Always multiply (by 1 when under the limit) so that no host branch, hence no sync, is needed.
  const at::Tensor coef = (limit / (norm + 1e-6)).clamp_max(1.0);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  if (multi_tensor) {
    at::_foreach_mul_(grads, coef);  // the tensor-scalar overload arrived in 2.1
    return norm;
  }
#endif
  for (auto& g : grads) g.mul_(coef);
  return norm;
}

}  // namespace

TrainSettings TrainSettings::from_config(const Config& cfg, const std::string& p) {
  TrainSettings s;
  s.steps = cfg.get_int(p + ".steps");
  s.batch_size = cfg.get_int(p + ".batch_size");
  s.lr.kind = enum_from_name<LrKind>(cfg.get_string(p + ".lr_schedule"), lr_schedule_names());
  s.lr.lr = cfg.get_float(p + ".lr");
  s.lr.warmup_steps = cfg.get_int(p + ".warmup_steps");
  s.lr.total_steps = s.steps;
  s.lr.min_lr_ratio = cfg.get_float(p + ".min_lr_ratio");
  s.grad_clip = cfg.get_float(p + ".grad_clip");
  s.ema_decay = cfg.get_float(p + ".ema_decay");
  if (s.lr.kind == LrKind::kWarmupCosine && s.lr.warmup_steps > s.steps)
    throw cfg.error(p + ".warmup_steps", "must not exceed " + p + ".steps");
  return s;
}

Trainer::Trainer(FieldPtr model, FieldPtr ema_shadow, Method& method, const Path& path, const Coupling& coupling,
                 BatchSource data, TrainSettings settings, at::Generator gen)
    : model_(std::move(model)),
      params_(model_->parameters()),
      device_(device_of(*model_)),
      method_(method),
      path_(path),
      coupling_(coupling),
      data_(std::move(data)),
      settings_(settings),
      gen_(std::move(gen)),
      ema_(model_, std::move(ema_shadow), settings.ema_decay),
      optimiser_(params_, torch::optim::AdamOptions(settings.lr.lr)),
      pending_method_(method.series_names().size() + kCostSeries.size()),
      pending_coupling_(method.draws_target_batches() ? coupling.series_names().size() : 0) {
  model_->train();
}

void Trainer::step() {
  const double lr = settings_.lr.at(step_);
  for (auto& group : optimiser_.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

  std::vector<at::Tensor> coupling_series;
  const StepBatch batch = on_device(draw_batch(coupling_series), device_);
  optimiser_.zero_grad();
  const StepLoss loss = method_.loss(*model_, batch);
  loss.value.backward();

  const at::Tensor grad_norm = clip_gradients(params_, settings_.grad_clip, device_.is_cuda());
  optimiser_.step();
  if (settings_.ema_decay > 0)
    ema_.update();
  else
    copy_weights(*model_, ema_.averaged());

  pending_loss_.push_back(loss.value.detach());
  if (method_.draws_target_batches()) pending_fm_loss_.push_back(loss.fm_loss);
  pending_grad_norm_.push_back(grad_norm.detach());
  pending_lr_.push_back(lr);
  auto values = method_.series_values(step_);
  const auto cost = method_.cost(step_);
  values.insert(values.end(), {cost.nfe, cost.vjp});
  for (size_t k = 0; k < values.size(); ++k) pending_method_[k].push_back(values[k]);
  for (size_t k = 0; k < pending_coupling_.size(); ++k) pending_coupling_[k].push_back(coupling_series[k]);
  ++step_;
}

StepBatch Trainer::draw_batch(std::vector<at::Tensor>& coupling_series) {
  if (!method_.draws_target_batches()) {
    auto shape = data_.sample_shape;
    shape.insert(shape.begin(), settings_.batch_size);
    StepBatch batch;
    batch.x0 = at::randn(shape, gen_, at::kFloat);
    batch.step = step_;
    batch.gen = gen_;
    return batch;
  }
  const auto x1_raw = data_.draw(settings_.batch_size, gen_);
  const auto x0_raw = at::randn(x1_raw.sizes(), gen_, x1_raw.options());
  auto pairing = coupling_.pair(x0_raw, x1_raw, gen_);
  coupling_series = std::move(pairing.series);
  const auto t = at::rand({x1_raw.size(0)}, gen_, x1_raw.options());
  const auto sample = path_.sample(pairing.x0, pairing.x1, t, gen_);
  return {t, pairing.x0, pairing.x1, sample.xt, sample.u, step_, gen_};
}

void Trainer::save(torch::serialize::OutputArchive& archive) {
  if (!pending_loss_.empty()) throw std::logic_error("Trainer::save: flush() first");
  torch::serialize::OutputArchive model, ema, optimiser;
  save_module_on_cpu(*model_, model);
  ema_.save(ema);
  // Adam's moments, like the weights, are written from CPU tensors (a checkpoint made on a GPU reads anywhere),
  // and are back on the device afterwards even when the write throws.
  if (!device_.is_cpu()) {
    move_optimiser_state(at::kCPU);
    try {
      optimiser_.save(optimiser);
    } catch (...) {
      move_optimiser_state(device_);
      throw;
    }
    move_optimiser_state(device_);
  } else {
    optimiser_.save(optimiser);
  }
  archive.write("model", model);
  archive.write("ema", ema);
  archive.write("optimiser", optimiser);
  archive.write("generator", gen_.get_state());
  archive.write("step", c10::IValue(step_));
}

void Trainer::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive model, ema, optimiser;
  archive.read("model", model);
  archive.read("ema", ema);
  archive.read("optimiser", optimiser);
  model_->load(model);
  model_->to(device_);  // the same tensors (set_data): the handles of params_, the EMA and Adam stay valid
  ema_.load(ema);
  optimiser_.load(optimiser);  // after the model: its moments attach to the parameters in order
  move_optimiser_state(device_);
  at::Tensor generator;
  archive.read("generator", generator);
  gen_.set_state(generator);
  c10::IValue step;
  archive.read("step", step);
  step_ = step.toInt();
}

void Trainer::move_optimiser_state(const at::Device& device) {
  for (auto& [key, state] : optimiser_.state()) {
    auto& adam = static_cast<torch::optim::AdamParamState&>(*state);
    adam.exp_avg(adam.exp_avg().to(device));
    adam.exp_avg_sq(adam.exp_avg_sq().to(device));
    if (adam.max_exp_avg_sq().defined()) adam.max_exp_avg_sq(adam.max_exp_avg_sq().to(device));
  }
}

void Trainer::synchronize() const {
  if (device_.is_cuda()) torch::cuda::synchronize(device_.index());
}

std::vector<std::string> Trainer::series_names() const {
  auto names = method_.series_names();
  names.insert(names.end(), kCostSeries.begin(), kCostSeries.end());
  if (method_.draws_target_batches())
    for (const auto& name : coupling_.series_names()) names.push_back(name);
  return names;
}

SeriesChunk Trainer::flush() {
  SeriesChunk chunk;
  const auto n = static_cast<int64_t>(pending_loss_.size());
  if (n == 0) return chunk;
  const auto to_host = [](const std::vector<at::Tensor>& values) {
    const auto v = at::stack(values).to(at::kCPU, at::kDouble).contiguous();
    return std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
  };
  chunk.loss = to_host(pending_loss_);
  chunk.grad_norm = to_host(pending_grad_norm_);
  if (!pending_fm_loss_.empty()) chunk.fm_loss = to_host(pending_fm_loss_);
  chunk.lr = std::move(pending_lr_);
  chunk.extra = std::move(pending_method_);
  for (auto& series : pending_coupling_) {
    chunk.extra.push_back(to_host(series));
    series.clear();
  }
  for (int64_t k = 0; k < n; ++k) {
    chunk.step.push_back(step_ - n + k);
    if (chunk.first_nonfinite < 0 && !std::isfinite(chunk.loss[k])) chunk.first_nonfinite = k;
  }
  pending_loss_.clear();
  pending_fm_loss_.clear();
  pending_grad_norm_.clear();
  pending_lr_.clear();
  pending_method_.assign(method_.series_names().size() + kCostSeries.size(), {});
  return chunk;
}

}  // namespace gftlab
