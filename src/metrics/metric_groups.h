// The metric groups of eval.metrics, one row each: adding a metric is a row (metrics.cpp: its name, where it
// applies, the quality values it writes, its factory), its class, its entries in metric_table()
// (metric_names.h: each value's direction and family) and its test. Free of LibTorch, for the schema.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class Distribution;
class Metric;

// What a group needs of the run before it can be computed.
enum class MetricNeeds {
  kNothing,
  kMixture,                // an analytic Gaussian-mixture target (exact density and velocity)
  kFeatureSpace,           // a feature extractor: gftlab's own (1 x 28 x 28 images) or eval.features.torchscript
  kFeatureSpaceForImages,  // a feature extractor when the samples are images (pixels make a poor space)
  kInception,              // an image target and eval.fid.inception
};

struct MetricGroup {
  std::string name;  // in eval.metrics and eval.final_only
  MetricNeeds needs;
  std::vector<std::string> quality;  // the quality values it writes (what stability.quality_metric may name)
  std::unique_ptr<Metric> (*make)(const Config& cfg, const Distribution& target, uint64_t seed);
};

const std::vector<MetricGroup>& metric_groups();
// "all" and every group's name: the choices of eval.metrics.
std::vector<std::string> metric_group_names();
// The group that writes the quality value `metric` (e.g. "mmd" for "mmd2").
const MetricGroup& group_of_quality(const std::string& metric);

}  // namespace gftlab
