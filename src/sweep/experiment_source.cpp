#include "sweep/experiment_source.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config_text.h"

namespace gftlab {

ConfigError ExperimentSource::error(const YAML::Node& node, const std::string& path, const std::string& message) const {
  return ConfigError(fmt::format("{}:{}: {}: {}", file, node.Mark().line + 1, path, message));
}

std::string ExperimentSource::origin(const YAML::Node& node, const std::string& path) const {
  return fmt::format("{}:{} ({})", file, node.Mark().line + 1, path);
}

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

void check_key(const YAML::Node& key, const std::string& where, const std::vector<std::string>& allowed,
               const ExperimentSource& src) {
  if (std::find(allowed.begin(), allowed.end(), key.Scalar()) != allowed.end()) return;
  const auto near = closest_matches(key.Scalar(), allowed);
  throw src.error(key, where + "." + key.Scalar(),
                  fmt::format("unknown key{}; allowed: {}",
                              near.empty() ? "" : " (did you mean '" + near.front() + "'?)", fmt::join(allowed, ", ")));
}

void check_arm(const YAML::Node& name_node, const std::string& where, const std::vector<std::string>& names,
               const ExperimentSource& src) {
  const auto arm = name_node.Scalar();
  if (std::find(names.begin(), names.end(), arm) != names.end()) return;
  const auto near = closest_matches(arm, names);
  throw src.error(name_node, where,
                  fmt::format("'{}' is not an arm of this experiment{}; arms: {}", arm,
                              near.empty() ? "" : " (did you mean '" + near.front() + "'?)", fmt::join(names, ", ")));
}

}  // namespace gftlab
