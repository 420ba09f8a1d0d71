#include "io/torchscript.h"

#include <torch/script.h>
#include <torch/version.h>

#include <filesystem>
#include <fmt/format.h>
#include <regex>
#include <stdexcept>

#include "core/sha256.h"

namespace gftlab {

struct ScriptModule::Impl {
  torch::jit::Module module;
};

namespace {

// The loader's first line that says something (its messages may start with a blank line and go on with the
// source and a C++ backtrace).
std::string first_line(const std::string& what) {
  const auto start = what.find_first_not_of("\n ");
  if (start == std::string::npos) return "";
  return what.substr(start, what.find('\n', start) - start);
}

// A file saved by a newer PyTorch can call operators this LibTorch lacks (aten::scaled_dot_product_attention
// from 2.0 on, in Debian's 1.13): say which, and what to do, instead of the compiler's message.
std::string load_failure(const std::string& path, const std::string& what) {
  static const std::regex unknown_op(R"(Unknown (?:builtin op|operator|type): ([A-Za-z_0-9:.]+?)\.?\s)");
  std::smatch m;
  if (std::regex_search(what, m, unknown_op))
    return fmt::format(
        "{}: uses the operator {}, which this LibTorch ({}.{}.{}) does not have: the file was saved by a newer "
        "PyTorch. Build gftlab against a LibTorch at least as new as the PyTorch that saved it (docs/gpu.md, \"A "
        "CUDA build\"), or save the model with operators this one has (docs/own_files.md)",
        path, m[1].str(), TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
  return fmt::format("{}: not a TorchScript archive (torch.jit.save): {}", path, first_line(what));
}

}  // namespace

ScriptModule::ScriptModule(const std::string& path) : impl_(std::make_shared<Impl>()), path_(path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(fmt::format("{}: no such file", path));
  try {
    impl_->module = torch::jit::load(path, torch::kCPU);
  } catch (const std::exception& e) {
    throw std::runtime_error(load_failure(path, e.what()));
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
    throw std::runtime_error(fmt::format("{}: forward failed: {}", path_, first_line(e.what())));
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
