// The probe loss (docs/method.md, "Measurements"): the plain flow-matching loss of a model on a fixed set of (x0,
// x1, t) triples built from held-out target samples. The triples depend only on the held-out samples, the path and
// the run's seed, so every arm of a sweep with the same seed is measured on the same triples, the reward-based
// arms (which log no training fm_loss) included.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "model/velocity_field.h"
#include "path/path.h"

namespace gftlab {

struct ProbeSet {
  at::Tensor t, xt, u;
};

// The first min(n, held_out.size(0)) held-out samples as x1, with noise x0, times t ~ U[0, 1] (and the
// path's own noise) drawn from the seed alone.
ProbeSet make_probe_set(const at::Tensor& held_out, const Path& path, int64_t n, uint64_t seed);

// mean ||v(t, x_t) - u||^2 over the probe set without gradient, in batches of `batch` samples so that image
// models do not hold every activation at once.
double probe_fm_loss(VelocityField& model, const ProbeSet& probe, int64_t batch = 256);

// The oscillation probe (docs/reports.md, "Stability"): the raw model's velocity at the first `points` inputs
// (x_t, t) of the probe set, flattened per input and, when a sample has more than `coords` dimensions, projected
// onto `coords` fixed random unit directions drawn from `seed`. The function, not a loss: a loss turns weight
// jitter into first-order loss jitter only for a model away from the loss's minimum (GFT while beta > 0).
class FunctionProbe {
 public:
  FunctionProbe(const ProbeSet& probe, int64_t points, int64_t coords, uint64_t seed, const at::Device& device);
  // points x width values, row-major, without gradient.
  std::vector<double> operator()(VelocityField& model) const;

 private:
  at::Tensor t_, xt_, projection_;  // projection_ is undefined when the outputs are recorded as they are
};

}  // namespace gftlab
