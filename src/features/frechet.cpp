#include "features/frechet.h"

#include <stdexcept>

namespace gftlab {
namespace {

// Square root of a symmetric positive semi-definite matrix; round-off negatives clamp to zero.
at::Tensor psd_sqrt(const at::Tensor& s) {
  const auto [values, vectors] = at::linalg_eigh(s);
  return at::matmul(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
}

}  // namespace

GaussianStats gaussian_stats(const at::Tensor& features) {
  if (features.dim() != 2 || features.size(0) < 2) throw std::invalid_argument("gaussian_stats needs [n >= 2, d] features");
  const auto x = features.detach().to(at::kDouble);
  const auto mean = x.mean(0);
  const auto centred = x - mean;
  return {mean, at::matmul(centred.t(), centred) / double(x.size(0) - 1)};
}

double frechet_distance(const GaussianStats& a, const GaussianStats& b) {
  if (!a.cov.sizes().equals(b.cov.sizes())) throw std::invalid_argument("Fréchet distance: feature sizes differ");
  const auto root = psd_sqrt(a.cov);
  auto middle = at::matmul(at::matmul(root, b.cov), root);
  middle = 0.5 * (middle + middle.t());
  const double trace_term = at::linalg_eigvalsh(middle).clamp_min(0).sqrt().sum().item<double>();
  const double mean_term = (a.mean - b.mean).pow(2).sum().item<double>();
  return mean_term + a.cov.trace().item<double>() + b.cov.trace().item<double>() - 2.0 * trace_term;
}

}  // namespace gftlab
