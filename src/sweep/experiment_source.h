// Reading an experiment file: every error names the file, the line and the key path. Shared by the plan
// (sweep_plan.cpp) and the report block (report_block.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/config.h"

namespace gftlab {

struct ExperimentSource {
  std::string file;
  ConfigError error(const YAML::Node& node, const std::string& path, const std::string& message) const;
  std::string origin(const YAML::Node& node, const std::string& path) const;
};

// A node as one line of flow-style YAML (how values are compared and shown).
std::string yaml_text(const YAML::Node& node);

// Throws unless `key` is one of `allowed` (with "did you mean").
void check_key(const YAML::Node& key, const std::string& where, const std::vector<std::string>& allowed,
               const ExperimentSource& src);

// Throws unless the node names an arm of the experiment (with "did you mean").
void check_arm(const YAML::Node& name_node, const std::string& where, const std::vector<std::string>& names,
               const ExperimentSource& src);

}  // namespace gftlab
