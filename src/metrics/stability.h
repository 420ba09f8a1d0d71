// Stability measurements of a run's training and evaluation series (docs/method.md, "Measurements"). Pure functions
// on host series, so they are computed once at the end of a run and tested against known answers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gftlab {

// Population variance of each full trailing window x[k-w+1 .. k], k = w-1 .. n-1 (empty when n < w).
std::vector<double> trailing_variance(const std::vector<double>& x, int64_t window);

// Spearman rank correlation (average ranks for ties); NaN when either side is constant or n < 2.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// Indices k >= window where x[k] > median + mads * MAD of the `window` values before it (MAD unscaled).
std::vector<int64_t> spike_indices(const std::vector<double>& x, int64_t window, double mads);

struct StabilitySettings {
  int64_t window = 50;       // steps
  int64_t eval_window = 5;   // evaluations
  double spike_mads = 5.0;
  double grad_clip = 0.0;    // 0: clipping off
};

struct StabilityReport {
  std::vector<double> loss_variance;     // of fm_loss, trailing, aligned with steps[window-1:]
  std::vector<double> quality_variance;  // trailing over evaluations, aligned with eval steps[eval_window-1:]
  std::vector<int64_t> spike_steps;
  std::map<std::string, double> finals;  // written under /final/
};

// `loss` (the method's own), `fm_loss` and `grad_norm` per training step (the same length as `steps`; fm_loss
// empty for methods without one, whose loss-variance finals are then NaN), `quality` per evaluation. The loss
// variances are of fm_loss: the method's own loss is not comparable across methods (GFT's is scaled by
// 1 + beta and regresses onto a mixed target, so its variance shrinks by (1 + beta)^-2 whatever happens).
StabilityReport measure_stability(const std::vector<int64_t>& steps, const std::vector<double>& loss,
                                  const std::vector<double>& fm_loss, const std::vector<double>& grad_norm, const std::vector<int64_t>& eval_steps,
                                  const std::vector<double>& quality, const StabilitySettings& settings);

}  // namespace gftlab
