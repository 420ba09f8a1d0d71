#include "core/yaml_file.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "core/config.h"

namespace gftlab {
namespace {

// yaml-cpp keeps both entries of a key written twice and answers lookups with the first, so a file that
// says `seed: 1` and later `seed: 2` would silently run with 1.
void refuse_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node) refuse_duplicate_keys(item, file, fmt::format("{}[{}]", path, i++));
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    const std::string key_path = path.empty() ? key : path + "." + key;
    const int line = entry.first.Mark().line + 1;
    const auto [seen, fresh] = first_line.emplace(key, line);
    if (!fresh)
      throw ConfigError(fmt::format("{}:{}: {}: the key is given twice in one mapping, on lines {} and {}; keep "
                                    "one", file, line, key_path, seen->second, line));
    refuse_duplicate_keys(entry.second, file, key_path);
  }
}

}  // namespace

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
  refuse_duplicate_keys(root, file, "");
  return root;
}

}  // namespace gftlab
