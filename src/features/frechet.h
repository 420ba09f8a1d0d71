// Distances between two feature sets, in float64. The Fréchet distance between Gaussians fitted to them
// (docs/method.md, "Measurements"):
// |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr (S1^1/2 S2 S1^1/2)^1/2, the trace term from the eigenvalues of the
// symmetric matrix S1^1/2 S2 S1^1/2 (no non-symmetric matrix square root, so no complex round-off).
#pragma once

#include <ATen/ATen.h>

namespace gftlab {

struct GaussianStats {
  at::Tensor mean;  // float64 [d]
  at::Tensor cov;   // float64 [d, d], unbiased (n - 1)
};

// Mean and covariance of the rows of `features` [n, d] (n >= 2).
GaussianStats gaussian_stats(const at::Tensor& features);

double frechet_distance(const GaussianStats& a, const GaussianStats& b);

// KID as clean-fid computes it: the unbiased MMD^2 of the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3,
// averaged over `subsets` pairs of subsets of m = min(n_x, n_y, max_subset) rows drawn without replacement
// from `gen`. When m is both set sizes every subset is the whole set, and the one value is returned.
double kernel_inception_distance(const at::Tensor& x, const at::Tensor& y, int64_t subsets, int64_t max_subset,
                                 at::Generator& gen);

}  // namespace gftlab
