#include "io/torchscript.h"

#include <torch/script.h>

#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

#include "core/sha256.h"

namespace gftlab {

struct ScriptModule::Impl {
  torch::jit::Module module;
};

ScriptModule::ScriptModule(const std::string& path) : impl_(std::make_shared<Impl>()), path_(path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(fmt::format("{}: no such file", path));
  try {
    impl_->module = torch::jit::load(path, torch::kCPU);
  } catch (const std::exception& e) {
    // The JIT's message carries a C++ backtrace: its first line says enough.
    const std::string what = e.what();
    throw std::runtime_error(
        fmt::format("{}: not a TorchScript archive (torch.jit.save): {}", path, what.substr(0, what.find('\n'))));
  }
  impl_->module.eval();
  sha256_ = file_sha256(path);
}

at::Tensor ScriptModule::forward(const std::vector<at::Tensor>& args, const std::map<std::string, bool>& flags) const {
  std::vector<c10::IValue> inputs(args.begin(), args.end());
  torch::jit::Kwargs kwargs;
  for (const auto& [name, value] : flags) kwargs.emplace(name, value);
  c10::IValue out;
  try {
    out = impl_->module.forward(std::move(inputs), kwargs);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw std::runtime_error(fmt::format("{}: forward failed: {}", path_, what.substr(0, what.find('\n'))));
  }
  if (!out.isTensor())
    throw std::runtime_error(fmt::format("{}: forward returned a {}, not a tensor", path_, out.tagKind()));
  return out.toTensor();
}

std::vector<std::pair<std::string, at::Tensor>> ScriptModule::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : impl_->module.named_parameters(true)) out.emplace_back(p.name, p.value);
  return out;
}

std::vector<std::pair<std::string, at::Tensor>> ScriptModule::named_buffers() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& b : impl_->module.named_buffers(true)) out.emplace_back(b.name, b.value);
  return out;
}

void ScriptModule::train(bool on) { impl_->module.train(on); }

}  // namespace gftlab
