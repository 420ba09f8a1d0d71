#include "features/frechet.h"

#include <algorithm>
#include <stdexcept>

namespace gftlab {
namespace {

// Square root of a symmetric positive semi-definite matrix; round-off negatives clamp to zero.
at::Tensor psd_sqrt(const at::Tensor& s) {
  const auto [values, vectors] = at::linalg_eigh(s);
  return at::matmul(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
}

// One subset pair's term of clean-fid's sum: (sum of the off-diagonal within-set kernels) / (m - 1) minus
// 2 / m times the sum of the cross kernels; the estimate is its mean over subsets divided by m.
double kid_term(const at::Tensor& x, const at::Tensor& y) {
  const double d = static_cast<double>(x.size(1)), m = static_cast<double>(x.size(0));
  const auto kernel = [d](const at::Tensor& a, const at::Tensor& b) { return (at::matmul(a, b.t()) / d + 1.0).pow(3); };
  const auto within = kernel(x, x) + kernel(y, y);
  return ((within.sum() - within.diagonal().sum()) / (m - 1) - kernel(x, y).sum() * 2.0 / m).item<double>();
}

}  // namespace

GaussianStats gaussian_stats(const at::Tensor& features) {
  if (features.dim() != 2 || features.size(0) < 2)
    throw std::invalid_argument("gaussian_stats needs [n >= 2, d] features");
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

double kernel_inception_distance(const at::Tensor& x, const at::Tensor& y, int64_t subsets, int64_t max_subset,
                                 at::Generator& gen) {
  if (x.dim() != 2 || y.dim() != 2 || x.size(1) != y.size(1)) throw std::invalid_argument("KID: feature sizes differ");
  const int64_t m = std::min({x.size(0), y.size(0), max_subset});
  if (m < 2) throw std::invalid_argument("KID needs at least 2 samples on each side");
  const auto a = x.to(at::kDouble), b = y.to(at::kDouble);
  if (m == a.size(0) && m == b.size(0)) return kid_term(a, b) / double(m);
  double total = 0.0;
  for (int64_t k = 0; k < subsets; ++k) {
    const auto xs = a.index_select(0, at::randperm(a.size(0), gen, at::kLong).narrow(0, 0, m));
    const auto ys = b.index_select(0, at::randperm(b.size(0), gen, at::kLong).narrow(0, 0, m));
    total += kid_term(xs, ys);
  }
  return total / double(subsets) / double(m);
}

}  // namespace gftlab
