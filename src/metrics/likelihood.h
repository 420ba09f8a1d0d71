// Model log-likelihood by the instantaneous change of variables (docs/method.md, "Measurements").
#pragma once

#include <ATen/ATen.h>

namespace gftlab {

class Sampler;
class VelocityField;

// Per-sample negative log-likelihood (nats) of x1 [n, d] under the flow of `model` from N(0, I):
// integrates [x, log-det] from t = 1 back to t = 0. Exact divergence when d <= exact_max_dim (d
// vector-Jacobian products), otherwise Hutchinson's estimator with fixed Rademacher probes from `gen`.
at::Tensor model_nll(VelocityField& model, const at::Tensor& x1, const Sampler& solver, int64_t exact_max_dim,
                     at::Generator& gen);

}  // namespace gftlab
