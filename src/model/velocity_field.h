// The velocity network v_theta(t, x). Every model (the MLP here, the U-Net later) implements this.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;

class VelocityField : public torch::nn::Module {
 public:
  // t: [B] in [0, 1]; x: [B, ...]. Returns a tensor shaped like x.
  virtual at::Tensor forward(const at::Tensor& t, const at::Tensor& x) = 0;
  // The same with one time for the whole batch (what ODE solvers ask); a model may skip per-sample work.
  virtual at::Tensor forward_at(double t, const at::Tensor& x) {
    return forward(at::full({x.size(0)}, t, x.options()), x);
  }
  // Re-draws every parameter from `gen` (independent of torch's global generator).
  virtual void initialise(at::Generator& gen) = 0;
};

using FieldPtr = std::shared_ptr<VelocityField>;

// Builds the configured model for data of per-sample shape `sample_shape`, initialised from `seed`; with
// pretrain.import, the imported module (its own weights; ConfigError when it does not fit).
FieldPtr make_velocity_field(const Config& cfg, const std::vector<int64_t>& sample_shape, uint64_t seed);
// pretrain.import: the TorchScript file of an imported pretrained field; "" when gftlab pretrains its own.
std::string imported_field_file(const Config& cfg);

// dst <- src, parameter by parameter and buffer by buffer (same architecture).
void copy_weights(const VelocityField& src, VelocityField& dst);
int64_t parameter_count(const VelocityField& field);
// finetune.trainable: only the parameters whose names match one of `patterns` (fnmatch) keep requires_grad;
// none when empty. Returns the names that matched; ConfigError when a pattern matches nothing.
std::vector<std::string> restrict_trainable(const Config& cfg, VelocityField& field);

// Module::save with CPU copies of every tensor (the same tensors for a CPU module), so that what a GPU run
// writes loads anywhere, in gftlab and in torch.load without map_location.
void save_module_on_cpu(const torch::nn::Module& module, torch::serialize::OutputArchive& archive);
// The device of a module's first parameter (the CPU for one without parameters).
at::Device device_of(const torch::nn::Module& module);
void save_field(const VelocityField& field, const std::string& path);
// Reads the file onto the CPU and leaves the field on the device it was on.
void load_field(VelocityField& field, const std::string& path);

// Exponential moving average of a model's weights; the average is what evaluation uses.
class Ema {
 public:
  Ema(FieldPtr online, FieldPtr shadow, double decay);
  void update();
  VelocityField& averaged() { return *shadow_; }
  FieldPtr averaged_ptr() { return shadow_; }
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  FieldPtr online_, shadow_;
  // Handles to the same tensors, taken once: Module::parameters() walks the module tree on every call, and a
  // load replaces their contents in place (Tensor::set_), so the handles stay valid.
  std::vector<at::Tensor> online_params_, shadow_params_;
  double decay_;
  int64_t updates_ = 0;
};

}  // namespace gftlab
