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

// A gradient-norm spike is a transient excursion: x[k] > median + mads * MAD of the `window` values before it
// (MAD unscaled), after which the median of the next `settle` values is back within settle_mads MADs of that
// median. A level shift (warm-up ending, a schedule boundary) does not come back, so it is no spike.
struct SpikeRule {
  int64_t window = 50;
  double mads = 5.0;
  int64_t settle = 10;
  double settle_mads = 2.0;
};

// The onsets k >= max(window, first) of the excursions that are spikes; an excursion (consecutive values above
// the threshold) counts once. `first` is the first index after warm-up.
std::vector<int64_t> spike_indices(const std::vector<double>& x, const SpikeRule& rule, int64_t first = 0);

// Spikes per 1000 of the steps where one can be detected (NaN when there are none).
double spikes_per_1000(int64_t spikes, int64_t steps, const SpikeRule& rule, int64_t first);

struct StabilitySettings {
  int64_t window = 50;      // steps
  int64_t eval_window = 5;  // evaluations
  double spike_mads = 5.0;
  int64_t spike_settle = 10;  // steps
  double spike_settle_mads = 2.0;
  int64_t warmup_steps = 0;  // spikes are counted after warm-up
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
                                  const std::vector<double>& fm_loss, const std::vector<double>& grad_norm,
                                  const std::vector<int64_t>& eval_steps, const std::vector<double>& quality,
                                  const StabilitySettings& settings);

}  // namespace gftlab
