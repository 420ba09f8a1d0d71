#include "sweep/plan_axes.h"

#include <fmt/format.h>

namespace gftlab {

std::vector<int64_t> read_seeds(const YAML::Node& node, const std::string& where, int64_t max_runs,
                                const ExperimentSource& src) {
  std::vector<int64_t> seeds;
  try {
    if (node.IsScalar()) {
      const auto n = node.as<int64_t>();
      if (n < 1) throw src.error(node, where, "a seed count must be >= 1");
      if (n > max_runs)
        throw src.error(node, where, fmt::format("{} seeds are more runs than --max-runs {} allows", n, max_runs));
      for (int64_t s = 0; s < n; ++s) seeds.push_back(s);
    } else if (node.IsSequence()) {
      for (const auto& s : node) seeds.push_back(s.as<int64_t>());
    }
  } catch (const YAML::Exception&) {
    throw src.error(node, where, "expected a seed count or a list of integer seeds");
  }
  if (seeds.empty()) throw src.error(node, where, "expected a seed count or a non-empty list of integer seeds");
  return seeds;
}

long double count_points(const YAML::Node& grid, const YAML::Node& zip) {
  const auto length = [](const YAML::Node& list) {
    return static_cast<long double>(list.IsSequence() ? list.size() : 1);
  };
  long double points = 1;
  if (grid && grid.IsMap())
    for (const auto& axis : grid) points *= length(axis.second);
  if (zip && zip.IsMap() && zip.size() > 0) points *= length(zip.begin()->second);
  return points;
}

void check_sweep_size(size_t arms, long double points, size_t seeds, int64_t max_runs, const std::string& file) {
  const long double runs = static_cast<long double>(arms) * points * static_cast<long double>(seeds);
  if (runs > static_cast<long double>(max_runs))
    throw ConfigError(
        fmt::format("{}: the sweep would plan up to {:.4g} runs ({} arms x {:.4g} grid points x {} "
                    "seeds), more than --max-runs {}; raise it if that is meant",
                    file, static_cast<double>(runs), arms, static_cast<double>(points), seeds, max_runs));
}

std::vector<Point> expand_axes(const YAML::Node& grid, const YAML::Node& zip, const ExperimentSource& src) {
  std::vector<Point> points = {{}};
  if (grid) {
    if (!grid.IsMap()) throw src.error(grid, "grid", "needs a mapping of dotted keys to lists of values");
    for (const auto& axis : grid) {
      const std::string key = "grid." + axis.first.Scalar();
      if (!axis.second.IsSequence()) throw src.error(axis.second, key, "needs a list of values");
      std::vector<Point> next;
      for (const auto& p : points)
        for (const auto& v : axis.second) {
          Point q = p;
          q.emplace_back(axis.first.Scalar(), v);
          next.push_back(q);
        }
      points = std::move(next);
    }
  }
  if (zip) {
    if (!zip.IsMap()) throw src.error(zip, "zip", "needs a mapping of dotted keys to equally long lists");
    size_t length = 0;
    bool first = true;
    for (const auto& axis : zip) {
      if (!axis.second.IsSequence())
        throw src.error(axis.second, "zip." + axis.first.Scalar(), "needs a list of values");
      if (!first && axis.second.size() != length)
        throw src.error(axis.second, "zip." + axis.first.Scalar(),
                        fmt::format("has {} values but the zip's first list has {}", axis.second.size(), length));
      length = axis.second.size();
      first = false;
    }
    std::vector<Point> next;
    for (const auto& p : points)
      for (size_t k = 0; k < length; ++k) {
        Point q = p;
        for (const auto& axis : zip) q.emplace_back(axis.first.Scalar(), axis.second[k]);
        next.push_back(q);
      }
    points = std::move(next);
  }
  return points;
}

}  // namespace gftlab
