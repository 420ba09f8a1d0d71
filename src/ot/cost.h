// Squared Euclidean cost matrices between sample sets, in float64: what exact OT, the couplings and the
// distance-based metrics are computed on.
#pragma once

#include <ATen/ATen.h>

namespace gftlab {

// Samples as float64 rows [n, prod(sample shape)], detached.
at::Tensor flat64(const at::Tensor& x);
// Squared Euclidean cost matrix, float64 [n, m].
at::Tensor squared_distances(const at::Tensor& a, const at::Tensor& b);

}  // namespace gftlab
