// Data distributions: seeded samplers, with an analytic Gaussian-mixture form where one exists.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>

namespace gftlab {

class Config;
class GaussianMixture;

class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual int64_t dim() const = 0;
  // n samples, float32 [n, dim].
  virtual at::Tensor sample(int64_t n, at::Generator& gen) const = 0;
  // The exact mixture when the distribution is one (exact velocities and log-densities); else null.
  virtual const GaussianMixture* mixture() const { return nullptr; }
};

// Builds the distribution configured under `prefix` ("source" or "target"); ConfigError on bad values.
std::unique_ptr<Distribution> make_distribution(const Config& cfg, const std::string& prefix);

}  // namespace gftlab
