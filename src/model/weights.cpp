#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>

#include "core/config.h"
#include "io/archive_file.h"
#include "model/velocity_field.h"

namespace gftlab {

void copy_weights(const VelocityField& src, VelocityField& dst) {
  at::NoGradGuard no_grad;
  const auto from = src.parameters(), to = dst.parameters();
  const auto from_buf = src.buffers(), to_buf = dst.buffers();
  if (from.size() != to.size() || from_buf.size() != to_buf.size())
    throw std::logic_error("copy_weights: architectures differ");
  for (size_t k = 0; k < from.size(); ++k) to[k].copy_(from[k]);
  for (size_t k = 0; k < from_buf.size(); ++k) to_buf[k].copy_(from_buf[k]);
}

int64_t parameter_count(const VelocityField& field) {
  int64_t n = 0;
  for (const auto& p : field.parameters()) n += p.numel();
  return n;
}

std::vector<std::string> restrict_trainable(const Config& cfg, VelocityField& field) {
  const auto& patterns = cfg.get_string_list("finetune.trainable");
  std::vector<std::string> trained;
  std::vector<bool> used(patterns.size(), false);
  for (auto& item : field.named_parameters()) {
    bool match = patterns.empty();
    for (size_t k = 0; k < patterns.size(); ++k)
      if (fnmatch(patterns[k].c_str(), item.key().c_str(), 0) == 0) match = used[k] = true;
    item.value().set_requires_grad(match);
    if (match) trained.push_back(item.key());
  }
  for (size_t k = 0; k < patterns.size(); ++k)
    if (!used[k]) {
      std::vector<std::string> names;
      for (const auto& item : field.named_parameters()) names.push_back(item.key());
      throw cfg.error("finetune.trainable", fmt::format("'{}' matches none of the model's parameters: {}", patterns[k],
                                                        fmt::join(names, ", ")));
    }
  return trained;
}

void save_module_on_cpu(const torch::nn::Module& module, torch::serialize::OutputArchive& archive) {
  for (const auto& p : module.named_parameters(false)) archive.write(p.key(), p.value().to(at::kCPU));
  for (const auto& b : module.named_buffers(false)) archive.write(b.key(), b.value().to(at::kCPU), true);
  for (const auto& child : module.named_children()) {
    if (!child.value()->is_serializable()) continue;  // as Module::save
    torch::serialize::OutputArchive child_archive(archive.compilation_unit());
    save_module_on_cpu(*child.value(), child_archive);
    archive.write(child.key(), child_archive);
  }
}

at::Device device_of(const torch::nn::Module& module) {
  const auto params = module.parameters();
  return params.empty() ? at::Device(at::kCPU) : params.front().device();
}

void save_field(const VelocityField& field, const std::string& path) {
  torch::serialize::OutputArchive archive;
  save_module_on_cpu(field, archive);
  write_archive_atomically(archive, path);
}

void load_field(VelocityField& field, const std::string& path) {
  const auto device = device_of(field);
  torch::serialize::InputArchive archive;
  archive.load_from(path, at::Device(at::kCPU));
  field.load(archive);
  field.to(device);
}

Ema::Ema(FieldPtr online, FieldPtr shadow, double decay)
    : online_(std::move(online)), shadow_(std::move(shadow)), decay_(decay) {
  copy_weights(*online_, *shadow_);
  online_params_ = online_->parameters();
  shadow_params_ = shadow_->parameters();
  for (auto& p : shadow_params_) p.set_requires_grad(false);
  shadow_->eval();
}

void Ema::update() {
  at::NoGradGuard no_grad;
  // Warm-up: early averages would otherwise keep the initial weights for ~1/(1 - decay) steps, which
  // in a short fine-tuning run is most of the run.
  const double n = static_cast<double>(updates_++);
  const double decay = std::min(decay_, (1.0 + n) / (10.0 + n));
  if (!online_params_.empty() && online_params_[0].is_cuda()) {
    // One multi-tensor kernel per operation instead of two per parameter tensor (the CPU keeps its loop).
    at::_foreach_mul_(shadow_params_, decay);
    at::_foreach_add_(shadow_params_, online_params_, 1.0 - decay);
    return;
  }
  for (size_t k = 0; k < online_params_.size(); ++k) shadow_params_[k].mul_(decay).add_(online_params_[k], 1.0 - decay);
}

void Ema::save(torch::serialize::OutputArchive& archive) const {
  save_module_on_cpu(*shadow_, archive);
  archive.write("updates", c10::IValue(updates_));
}

void Ema::load(torch::serialize::InputArchive& archive) {
  const auto device = device_of(*shadow_);
  shadow_->load(archive);
  shadow_->to(device);
  c10::IValue updates;
  archive.read("updates", updates);
  updates_ = updates.toInt();
}

}  // namespace gftlab
