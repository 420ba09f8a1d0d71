#include "core/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

#include <fmt/format.h>

#if __has_include(<ATen/cuda/CUDAContext.h>) && __has_include(<cuda_runtime_api.h>)
#include <ATen/cuda/CUDAContext.h>  // a CUDA LibTorch: the device's name
#define GFTLAB_HAS_CUDA_HEADERS 1
#endif

#include "core/config.h"

namespace gftlab {
namespace {

std::string cuda_absent_reason() {
  if (!at::hasCUDA())
    return "this gftlab is built against a LibTorch without CUDA (Debian's libtorch-dev is CPU-only); build it "
           "against a CUDA LibTorch as docs/gpu.md says, or use device: cpu";
  return "no CUDA device is visible (CUDA_VISIBLE_DEVICES, the driver, or the node has none)";
}

}  // namespace

at::Device resolve_device(const Config& cfg) {
  const auto& name = cfg.get_string("device");
  at::globalContext().setBenchmarkCuDNN(cfg.get_bool("cudnn_benchmark"));
  // PyTorch lets cuDNN use TF32 by default; here both follow the key, off unless asked for.
  at::globalContext().setAllowTF32CuBLAS(cfg.get_bool("tf32"));
  at::globalContext().setAllowTF32CuDNN(cfg.get_bool("tf32"));
  const bool visible = torch::cuda::is_available();
  if (name == "cpu" || (name == "auto" && !visible)) return at::kCPU;
  if (name == "auto") return {at::kCUDA, 0};
  if (name != "cuda" && name.rfind("cuda:", 0) != 0)
    throw cfg.error("device", fmt::format("'{}' is not one of cpu, cuda, cuda:K, auto", name));
  int64_t index = 0;
  if (name != "cuda") {
    const auto k = name.substr(5);
    if (k.empty() || k.find_first_not_of("0123456789") != std::string::npos)
      throw cfg.error("device", fmt::format("'{}': K in cuda:K is a device number", name));
    index = std::stoll(k);
  }
  if (!visible) throw cfg.error("device", fmt::format("'{}': {}", name, cuda_absent_reason()));
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count)
    throw cfg.error("device", fmt::format("'{}': this machine shows {} CUDA device(s), numbered from 0", name, count));
  return {at::kCUDA, static_cast<at::DeviceIndex>(index)};
}

std::map<std::string, std::string> device_record(const at::Device& device) {
  std::map<std::string, std::string> out = {{"device", device.str()}};
  if (!device.is_cuda()) return out;
  const auto& hooks = at::detail::getCUDAHooks();
  out["cuda_version"] = std::to_string(hooks.versionCUDART());
  out["cudnn_version"] = hooks.hasCuDNN() ? std::to_string(hooks.versionCuDNN()) : "none";
#ifdef GFTLAB_HAS_CUDA_HEADERS
  out["device_name"] = at::cuda::getDeviceProperties(device.index())->name;
#endif
  return out;
}

at::Tensor randn_on(at::IntArrayRef shape, at::Generator& gen, const at::TensorOptions& options) {
  return at::randn(shape, gen, options.device(at::kCPU)).to(options.device());
}

at::Tensor rand_on(at::IntArrayRef shape, at::Generator& gen, const at::TensorOptions& options) {
  return at::rand(shape, gen, options.device(at::kCPU)).to(options.device());
}

}  // namespace gftlab
