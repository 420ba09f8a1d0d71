// Each value a metric writes under /final: its direction and family (the groups: metric_groups.h).
#pragma once

#include <string>
#include <vector>

namespace gftlab {

// Which way a metric gets better (the numbers the analysis uses).
enum class Better { kLower = -1, kNeither = 0, kHigher = 1 };

// The values under /final that the analysis ranks and groups, each with its direction and family
// (quality, diversity, paths, stability, cost, ladder). summary.h5 carries this table under /metrics, so that
// the reports take every direction from here. A trailing '*' stands for the Euler ladder's step counts.
struct MetricInfo {
  const char* name;
  Better better;
  const char* family;
};

inline const std::vector<MetricInfo>& metric_table() {
  using B = Better;
  static const std::vector<MetricInfo> table = {
      {"fd", B::kLower, "quality"},
      {"fid", B::kLower, "quality"},
      {"kid", B::kLower, "quality"},
      {"w2", B::kLower, "quality"},
      {"sliced_w2", B::kLower, "quality"},
      {"mmd2", B::kLower, "quality"},
      {"energy", B::kLower, "quality"},
      {"nll", B::kLower, "quality"},
      {"velocity_error", B::kLower, "quality"},
      {"target_nll", B::kLower, "quality"},
      {"precision", B::kHigher, "diversity"},
      {"recall", B::kHigher, "diversity"},
      {"density", B::kNeither, "diversity"},  // above 1 when samples crowd the real ones
      {"coverage", B::kHigher, "diversity"},
      {"vendi", B::kNeither, "diversity"},  // to match the held-out data's, not to maximise
      {"mean_pairwise_distance", B::kNeither, "diversity"},
      {"path_length", B::kLower, "paths"},
      {"kinetic_energy", B::kLower, "paths"},
      {"straightness", B::kLower, "paths"},
      {"path_ratio", B::kLower, "paths"},
      {"adaptive_nfe", B::kLower, "paths"},
      {"loss_variance_last", B::kLower, "stability"},
      {"quality_variance_last", B::kLower, "stability"},
      {"quality_spearman", B::kNeither, "stability"},    // -1 for a distance that falls monotonically
      {"grad_spikes_per_1000", B::kLower, "stability"},  // transient excursions after warm-up
      {"wall_seconds", B::kLower, "cost"},
      {"w2_euler_*", B::kLower, "ladder"},
      {"fd_euler_*", B::kLower, "ladder"},
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
