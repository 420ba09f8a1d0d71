// A VelocityField that is the exact marginal velocity of a Gaussian mixture: a model with known answers.
#pragma once

#include "data/gaussian_mixture.h"
#include "model/velocity_field.h"

namespace gftlab::testing {

class MixtureField : public VelocityField {
 public:
  explicit MixtureField(const GaussianMixture& target) : target_(target) {}
  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override {
    return target_.velocity(t, x, 0.0).to(x.scalar_type());
  }
  void initialise(at::Generator&) override {}

 private:
  const GaussianMixture& target_;
};

inline GaussianMixture two_component_mixture() {
  const auto means = at::tensor({2.0, 0.5, -1.0, -1.5}, at::kDouble).reshape({2, 2});
  const auto covs = at::tensor({0.5, 0.2, 0.2, 0.3, 0.2, 0.0, 0.0, 0.6}, at::kDouble).reshape({2, 2, 2});
  return GaussianMixture(at::tensor({0.3, 0.7}, at::kDouble), means, covs);
}

}  // namespace gftlab::testing
