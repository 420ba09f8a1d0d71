// Each value a metric writes under /final: its direction and family (the groups: metric_groups.h).
#pragma once

#include <string>
#include <vector>

namespace gftlab {

// Which way a metric gets better (the numbers the analysis uses).
enum class Better { kLower = -1, kNeither = 0, kHigher = 1 };

// The values under /final that the analysis ranks and groups, each with its direction, family (quality,
// diversity, paths, stability, cost, ladder) and axis label with units. summary.h5 carries this table under
// /metrics, so that the reports take every direction and label from here. A trailing '*' stands for the Euler
// ladder's step counts (the label's '*' too).
struct MetricInfo {
  const char* name;
  Better better;
  const char* family;
  const char* label;
};

inline const std::vector<MetricInfo>& metric_table() {
  using B = Better;
  static const std::vector<MetricInfo> table = {
      {"fd", B::kLower, "quality", "FD (features²)"},
      {"fid", B::kLower, "quality", "FID (Inception features²)"},
      {"kid", B::kLower, "quality", "KID (polynomial-kernel MMD²)"},
      {"w2", B::kLower, "quality", "W2 (data units)"},
      {"sliced_w2", B::kLower, "quality", "sliced W2 (data units)"},
      {"mmd2", B::kLower, "quality", "MMD², U-statistic"},
      {"energy", B::kLower, "quality", "energy distance, U-stat."},
      {"nll", B::kLower, "quality", "held-out NLL (nats)"},
      {"velocity_error", B::kLower, "quality", "E‖v − u_t‖² (units²)"},
      {"target_nll", B::kLower, "quality", "−log q of samples (nats)"},
      {"precision", B::kHigher, "diversity", "precision, k = 3"},
      {"recall", B::kHigher, "diversity", "recall, k = 3"},
      {"density", B::kNeither, "diversity", "density, k = 5"},  // above 1 when samples crowd the real ones
      {"coverage", B::kHigher, "diversity", "coverage, k = 5"},
      {"vendi", B::kNeither, "diversity", "Vendi score"},  // to match the held-out data's, not to maximise
      {"mean_pairwise_distance", B::kNeither, "diversity", "mean pairwise dist. (units)"},
      {"path_length", B::kLower, "paths", "path length (units)"},
      {"kinetic_energy", B::kLower, "paths", "kinetic energy (units²)"},
      {"straightness", B::kLower, "paths", "straightness (units²)"},
      {"path_ratio", B::kLower, "paths", "length / displacement"},
      {"adaptive_nfe", B::kLower, "paths", "adaptive-solver NFE"},
      {"loss_variance_last", B::kLower, "stability", "fm_loss trailing var. (loss²)"},
      {"quality_variance_last", B::kLower, "stability", "quality trailing var."},
      // -1 for a distance that falls monotonically
      {"quality_spearman", B::kNeither, "stability", "Spearman(step, quality)"},
      // transient excursions after warm-up
      {"grad_spikes_per_1000", B::kLower, "stability", "grad-norm spikes per 1000 steps"},
      {"wall_seconds", B::kLower, "cost", "wall time (s)"},
      {"w2_euler_*", B::kLower, "ladder", "W2, * Euler steps (units)"},
      {"fd_euler_*", B::kLower, "ladder", "FD, * Euler steps"},
  };
  return table;
}

// The quality family: what stability.quality_metric may name.
inline std::vector<std::string> quality_metric_names() {
  std::vector<std::string> names;
  for (const auto& m : metric_table())
    if (std::string(m.family) == "quality") names.push_back(m.name);
  return names;
}

}  // namespace gftlab
