// Gaussian mixture with exact log-density and the exact marginal velocity of the linear path
// x_t = t*x1 + (1-t)*x0 + sigma*eps (docs/method.md, "Gradual Fine-Tuning"). Computations in float64.
#pragma once

#include "data/distribution.h"

namespace gftlab {

class GaussianMixture : public Distribution {
 public:
  // weights [K] (normalised here), means [K, d], covs [K, d, d] symmetric positive definite.
  GaussianMixture(at::Tensor weights, at::Tensor means, at::Tensor covs);

  int64_t dim() const override { return means_.size(1); }
  at::Tensor sample(int64_t n, at::Generator& gen) const override;
  const GaussianMixture* mixture() const override { return this; }

  // log q(x) for x [n, d]; float64 [n].
  at::Tensor log_prob(const at::Tensor& x) const;
  // Exact u_t(x) = E[x1 - x0 | x_t = x] for t [n] (or scalar), x [n, d]; float64 [n, d].
  at::Tensor velocity(const at::Tensor& t, const at::Tensor& x, double sigma) const;
  // log p_t(x) of the interpolant's marginal; float64 [n].
  at::Tensor marginal_log_prob(const at::Tensor& t, const at::Tensor& x, double sigma) const;

  const at::Tensor& weights() const { return weights_; }
  const at::Tensor& means() const { return means_; }
  const at::Tensor& covs() const { return covs_; }

 private:
  struct Terms {
    at::Tensor log_joint;  // [n, K]: log p_k + log N(x; t m_k, C_k)
    at::Tensor scaled;     // [n, K, d]: Q_k^T (x - t m_k) in the eigenbasis
    at::Tensor denom;      // [n, K, d]: t^2 lambda + (1-t)^2 + sigma^2
  };
  Terms terms(const at::Tensor& t, const at::Tensor& x, double sigma) const;

  at::Tensor weights_, means_, covs_;
  at::Tensor eigvals_, eigvecs_, chol_;  // S_k = Q diag(lambda) Q^T; chol for sampling
};

}  // namespace gftlab
