// Fréchet distance between Gaussians fitted to two feature sets (docs/method.md, "Measurements"), in float64:
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

}  // namespace gftlab
