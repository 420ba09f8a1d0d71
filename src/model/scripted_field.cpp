#include "model/scripted_field.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace gftlab {
namespace {

// The module that holds `dotted` (a.b.weight -> the child a.b of root, created as needed) and the leaf name.
std::pair<torch::nn::Module*, std::string> holder_of(torch::nn::Module& root, const std::string& dotted) {
  torch::nn::Module* at = &root;
  size_t start = 0;
  for (size_t dot = dotted.find('.'); dot != std::string::npos; start = dot + 1, dot = dotted.find('.', start)) {
    const auto name = dotted.substr(start, dot - start);
    auto children = at->named_children();
    at = children.contains(name) ? children[name].get()
                                 : at->register_module(name, std::make_shared<torch::nn::Module>()).get();
  }
  return {at, dotted.substr(start)};
}

}  // namespace

ScriptedField::ScriptedField(const std::string& path, const std::vector<int64_t>& sample_shape)
    : module_(path), sample_shape_(sample_shape) {
  for (const auto& [name, tensor] : module_.named_parameters()) {
    auto [holder, leaf] = holder_of(*this, name);
    holder->register_parameter(leaf, tensor, tensor.requires_grad());
  }
  for (const auto& [name, tensor] : module_.named_buffers()) {
    auto [holder, leaf] = holder_of(*this, name);
    holder->register_buffer(leaf, tensor);
  }
  probe(at::kCPU);
}

void ScriptedField::probe(const at::Device& device) {
  auto shape = sample_shape_;
  shape.insert(shape.begin(), 2);
  at::NoGradGuard no_grad;
  const auto x = at::zeros(shape, at::TensorOptions(at::kFloat).device(device));
  at::Tensor v;
  try {
    v = forward(at::full({2}, 0.5, x.options()), x);
  } catch (const std::runtime_error& e) {
    if (device.is_cpu()) throw;
    throw std::runtime_error(
        fmt::format("{} on {}: {} (a tensor the module keeps outside its parameters and "
                    "buffers stays on the CPU: register it as a buffer)",
                    module_.path(), device.str(), e.what()));
  }
  if (!v.sizes().equals(x.sizes()))
    throw std::runtime_error(
        fmt::format("{}: forward(t [2], x {}) returned shape {}, not x's", module_.path(), x.sizes(), v.sizes()));
}

void ScriptedField::to(torch::Device device, bool non_blocking) {
  VelocityField::to(device, non_blocking);
  if (device.is_cpu()) return;
  // In eval mode, as at construction: a probe in training mode would move batch-norm statistics or draw
  // dropout noise, and a resumed run would then differ from one never stopped.
  const bool training = is_training();
  train(false);
  probe(device);
  train(training);
}

at::Tensor ScriptedField::forward(const at::Tensor& t, const at::Tensor& x) { return module_.forward({t, x}); }

void ScriptedField::initialise(at::Generator&) {
  throw std::logic_error("an imported model (pretrain.import) has no initialisation of gftlab's");
}

void ScriptedField::train(bool on) {
  VelocityField::train(on);
  module_.train(on);
}

}  // namespace gftlab
