#include "core/yaml_file.h"

#include <fmt/format.h>
#include <fstream>

#include "core/config.h"

namespace gftlab {

YAML::Node load_yaml_mapping(const std::string& file, const std::string& what) {
  std::ifstream in(file);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the {} file", file, what));
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(fmt::format("{}: the top level must be a mapping of keys", file));
  return root;
}

}  // namespace gftlab
