#include "data/gaussian_mixture.h"

#include <cmath>
#include <stdexcept>

namespace gftlab {

GaussianMixture::GaussianMixture(at::Tensor weights, at::Tensor means, at::Tensor covs)
    : weights_(weights.to(at::kDouble) / weights.to(at::kDouble).sum()),
      means_(means.to(at::kDouble)),
      covs_(covs.to(at::kDouble)) {
  const auto eig = at::linalg_eigh(covs_);
  eigvals_ = std::get<0>(eig);
  eigvecs_ = std::get<1>(eig);
  if (eigvals_.min().item<double>() <= 0.0) throw std::invalid_argument("covariances must be positive definite");
  chol_ = at::linalg_cholesky(covs_);
}

at::Tensor GaussianMixture::sample(int64_t n, at::Generator& gen) const {
  const auto comps = at::multinomial(weights_, n, /*replacement=*/true, gen);
  const auto z = at::randn({n, dim(), 1}, gen, at::kDouble);
  const auto x = means_.index_select(0, comps) + at::matmul(chol_.index_select(0, comps), z).squeeze(-1);
  return x.to(at::kFloat);
}

GaussianMixture::Terms GaussianMixture::terms(const at::Tensor& t, const at::Tensor& x, double sigma) const {
  const auto xd = x.to(at::kDouble);
  const int64_t n = xd.size(0), d = dim();
  const auto tt = t.to(at::kDouble).expand({n}).reshape({n, 1, 1});
  const auto y = xd.unsqueeze(1) - tt * means_.unsqueeze(0);
  Terms out;
  out.scaled = at::einsum("nkd,kde->nke", {y, eigvecs_});
  out.denom = tt * tt * eigvals_.unsqueeze(0) + ((1 - tt) * (1 - tt) + sigma * sigma);
  const auto quad = (out.scaled * out.scaled / out.denom).sum(-1);
  const auto log_norm = -0.5 * (d * std::log(2 * M_PI) + out.denom.log().sum(-1) + quad);
  out.log_joint = weights_.log().unsqueeze(0) + log_norm;
  return out;
}

at::Tensor GaussianMixture::marginal_log_prob(const at::Tensor& t, const at::Tensor& x, double sigma) const {
  return at::logsumexp(terms(t, x, sigma).log_joint, 1);
}

at::Tensor GaussianMixture::log_prob(const at::Tensor& x) const {
  return marginal_log_prob(at::ones({1}, at::kDouble), x, 0.0);
}

at::Tensor GaussianMixture::velocity(const at::Tensor& t, const at::Tensor& x, double sigma) const {
  const auto tm = terms(t, x, sigma);
  const int64_t n = x.size(0);
  const auto tt = t.to(at::kDouble).expand({n}).reshape({n, 1, 1});
  const auto coef = (tt * eigvals_.unsqueeze(0) - (1 - tt)) / tm.denom;
  const auto per_component = means_.unsqueeze(0) + at::einsum("nke,kde->nkd", {coef * tm.scaled, eigvecs_});
  const auto resp = at::softmax(tm.log_joint, 1).unsqueeze(-1);
  return (resp * per_component).sum(1);
}

}  // namespace gftlab
