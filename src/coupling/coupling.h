// Coupling: re-pairs a minibatch (x0, x1) before the path is sampled (method.md section 3).
#pragma once

#include <ATen/ATen.h>

#include <memory>

namespace gftlab {

class Config;

struct Pairing {
  at::Tensor x0, x1;
  at::Tensor cost_ratio;  // cost of this pairing / cost of the identity pairing (0-dim); undefined if not tracked
};

class Coupling {
 public:
  virtual ~Coupling() = default;
  virtual Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const = 0;
};

class IndependentCoupling : public Coupling {
 public:
  Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator&) const override { return {x0, x1, {}}; }
};

std::unique_ptr<Coupling> make_coupling(const Config& cfg);

}  // namespace gftlab
