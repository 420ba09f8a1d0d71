// The device a run's networks and training tensors live on (the `device` key). Random numbers are always
// drawn from CPU generators and then moved, so that a seed means the same draws on every device; on the CPU
// the move is a no-op and results are those of a build that knows no devices.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>

namespace gftlab {

class Config;

// `device` resolved: cpu, cuda[:K], or auto (cuda:0 when one is visible, else cpu). ConfigError (exit 2,
// before any work) when CUDA is asked for and this build or machine has none, or K is out of range. Sets
// cuDNN's benchmark mode from `cudnn_benchmark` and TF32 for CUDA's products and convolutions from `tf32`.
at::Device resolve_device(const Config& cfg);

// What the run file records: device, device_name, cuda_version and cudnn_version (the last three for CUDA).
std::map<std::string, std::string> device_record(const at::Device& device);

// Standard normal (randn_on) and uniform [0, 1) (rand_on) draws from a CPU generator, of `options`' dtype,
// on `options`' device.
at::Tensor randn_on(at::IntArrayRef shape, at::Generator& gen, const at::TensorOptions& options);
at::Tensor rand_on(at::IntArrayRef shape, at::Generator& gen, const at::TensorOptions& options);

}  // namespace gftlab
