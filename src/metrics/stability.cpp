#include "metrics/stability.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace gftlab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double median(std::vector<double> v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + mid));
}

std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&x](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (size_t lo = 0; lo < order.size();) {
    size_t hi = lo;
    while (hi + 1 < order.size() && x[order[hi + 1]] == x[order[lo]]) ++hi;
    for (size_t k = lo; k <= hi; ++k) r[order[k]] = 0.5 * static_cast<double>(lo + hi);
    lo = hi + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return saa == 0 || sbb == 0 ? kNaN : sab / std::sqrt(saa * sbb);
}

double mean_or_nan(const std::vector<double>& v) {
  return v.empty() ? kNaN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

std::vector<double> trailing_variance(const std::vector<double>& x, int64_t window) {
  std::vector<double> out;
  const auto n = static_cast<int64_t>(x.size());
  for (int64_t end = window; end <= n; ++end) {
    const auto first = x.begin() + (end - window), last = x.begin() + end;
    const double mean = std::accumulate(first, last, 0.0) / static_cast<double>(window);
    double ss = 0;
    for (auto it = first; it != last; ++it) ss += (*it - mean) * (*it - mean);
    out.push_back(ss / static_cast<double>(window));
  }
  return out;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return kNaN;
  return pearson(ranks(a), ranks(b));
}

std::vector<int64_t> spike_indices(const std::vector<double>& x, const SpikeRule& rule, int64_t first) {
  std::vector<int64_t> out;
  const auto n = static_cast<int64_t>(x.size());
  for (int64_t k = std::max(rule.window, first); k + rule.settle < n; ++k) {
    const std::vector<double> before(x.begin() + (k - rule.window), x.begin() + k);
    const double med = median(before);
    std::vector<double> deviation(before.size());
    std::transform(before.begin(), before.end(), deviation.begin(), [med](double v) { return std::abs(v - med); });
    const double mad = median(deviation);
    if (!(x[k] > med + rule.mads * mad)) continue;
    // A level shift (a schedule boundary, the end of warm-up) moves the median after it: not a spike.
    const double after = median(std::vector<double>(x.begin() + k + 1, x.begin() + k + 1 + rule.settle));
    if (std::abs(after - med) <= rule.settle_mads * mad) out.push_back(k);
    while (k + 1 < n && x[k + 1] > med + rule.mads * mad) ++k;  // one excursion counts once
  }
  return out;
}

double spikes_per_1000(int64_t spikes, int64_t steps, const SpikeRule& rule, int64_t first) {
  const int64_t eligible = steps - std::max(rule.window, first) - rule.settle;
  return eligible > 0 ? 1000.0 * static_cast<double>(spikes) / static_cast<double>(eligible) : kNaN;
}

StabilityReport measure_stability(const std::vector<int64_t>& steps, const std::vector<double>& loss,
                                  const std::vector<double>& fm_loss, const std::vector<double>& grad_norm,
                                  const std::vector<int64_t>& eval_steps, const std::vector<double>& quality,
                                  const StabilitySettings& s) {
  StabilityReport r;
  r.loss_variance = trailing_variance(fm_loss, s.window);
  r.quality_variance = trailing_variance(quality, s.eval_window);
  const SpikeRule rule{s.window, s.spike_mads, s.spike_settle, s.spike_settle_mads};
  const auto first =
      static_cast<int64_t>(std::lower_bound(steps.begin(), steps.end(), s.warmup_steps + 1) - steps.begin());
  for (int64_t k : spike_indices(grad_norm, rule, first)) r.spike_steps.push_back(steps[k]);
  int64_t nonfinite = 0, clipped = 0;
  for (size_t k = 0; k < loss.size(); ++k) {
    nonfinite += !std::isfinite(loss[k]) || !std::isfinite(grad_norm[k]);
    clipped += s.grad_clip > 0 && grad_norm[k] > s.grad_clip;
  }
  std::vector<double> eval_x(eval_steps.begin(), eval_steps.end());
  r.finals = {
      {"loss_variance_last", r.loss_variance.empty() ? kNaN : r.loss_variance.back()},
      {"loss_variance_mean", mean_or_nan(r.loss_variance)},
      {"quality_variance_last", r.quality_variance.empty() ? kNaN : r.quality_variance.back()},
      {"quality_variance_mean", mean_or_nan(r.quality_variance)},
      {"quality_spearman", spearman(eval_x, quality)},
      {"grad_spikes_per_1000", spikes_per_1000(static_cast<int64_t>(r.spike_steps.size()),
                                               static_cast<int64_t>(grad_norm.size()), rule, first)},
      {"nonfinite_events", static_cast<double>(nonfinite)},
      {"clipped_fraction", loss.empty() ? 0.0 : static_cast<double>(clipped) / static_cast<double>(loss.size())},
  };
  return r;
}

}  // namespace gftlab
