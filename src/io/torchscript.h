// A TorchScript module that a researcher supplies as a file (a feature extractor, an Inception network, a
// pretrained velocity field): loaded on the CPU, identified by the SHA-256 of the file. The JIT's headers
// stay inside torchscript.cpp.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gftlab {

class ScriptModule {
 public:
  // std::runtime_error naming the file when it is missing or not a TorchScript archive.
  explicit ScriptModule(const std::string& path);
  const std::string& path() const { return path_; }
  const std::string& sha256() const { return sha256_; }
  // forward(args..., keyword=value...) as a tensor; std::runtime_error naming the file when the call fails
  // (a signature that does not take these arguments) or returns something other than one tensor.
  at::Tensor forward(const std::vector<at::Tensor>& args, const std::map<std::string, bool>& flags = {}) const;
  // Its parameters and buffers by their dotted names (the module's own tensors: updating them updates it).
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  std::vector<std::pair<std::string, at::Tensor>> named_buffers() const;
  void train(bool on);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::string path_, sha256_;
};

}  // namespace gftlab
