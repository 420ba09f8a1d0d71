#include "core/config.h"
#include "core/yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config_text.h"
#include "core/sha256.h"

namespace gftlab {
namespace {

const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::kBool: return "a boolean (true/false)";
    case ValueType::kInt: return "an integer";
    case ValueType::kFloat: return "a number";
    case ValueType::kString: return "a string";
    case ValueType::kIntList: return "a list of integers";
    case ValueType::kFloatList: return "a list of numbers";
    case ValueType::kStringList: return "a list of strings";
    case ValueType::kArray: return "a nested list of numbers";
  }
  return "?";
}

std::vector<std::string> group_paths() {
  std::set<std::string> groups;
  for (const auto& spec : config_schema()) {
    for (size_t pos = spec.path.find('.'); pos != std::string::npos; pos = spec.path.find('.', pos + 1))
      groups.insert(spec.path.substr(0, pos));
  }
  return {groups.begin(), groups.end()};
}

bool is_group(const std::string& path) {
  const auto groups = group_paths();
  return std::binary_search(groups.begin(), groups.end(), path);
}

std::vector<std::string> all_paths() {
  std::vector<std::string> paths = group_paths();
  for (const auto& spec : config_schema()) paths.push_back(spec.path);
  return paths;
}

std::string suggestion(const std::string& word, const std::vector<std::string>& pool) {
  const auto near = closest_matches(word, pool);
  if (near.empty()) return "";
  return fmt::format("; did you mean '{}'?", fmt::join(near, "' or '"));
}

std::string unknown_key_message(const std::string& path) {
  std::string msg = fmt::format("unknown key '{}'", path);
  const auto hint = suggestion(path, all_paths());
  if (!hint.empty()) return msg + hint;
  const auto dot = path.rfind('.');
  const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
  std::vector<std::string> siblings;
  for (const auto& p : all_paths()) {
    const auto d = p.rfind('.');
    if ((d == std::string::npos ? "" : p.substr(0, d)) == parent) siblings.push_back(p);
  }
  return msg + fmt::format(" (allowed here: {})", fmt::join(siblings, ", "));
}

double scalar_number(const YAML::Node& node, bool integer) {
  if (!node.IsScalar()) throw std::invalid_argument("not a scalar");
  const std::string text = node.Scalar();
  size_t used = 0;
  if (integer) {
    const long long v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument("trailing characters");
    return static_cast<double>(v);
  }
  const double v = std::stod(text, &used);
  if (used != text.size() || !std::isfinite(v)) throw std::invalid_argument("not a finite number");
  return v;
}

void flatten_array(const YAML::Node& node, size_t depth, Value& out) {
  if (node.IsScalar()) {
    if (depth != out.shape.size()) throw std::invalid_argument("ragged nesting");
    out.numbers.push_back(scalar_number(node, false));
    return;
  }
  if (!node.IsSequence()) throw std::invalid_argument("not a list");
  const auto n = static_cast<int64_t>(node.size());
  if (depth == out.shape.size()) {
    out.shape.push_back(n);
  } else if (out.shape[depth] != n) {
    throw std::invalid_argument("ragged nesting");
  }
  for (const auto& child : node) flatten_array(child, depth + 1, out);
}

// Converts a YAML node to the key's type; throws std::exception with a short reason on mismatch.
Value convert(const KeySpec& spec, const YAML::Node& node) {
  Value v;
  v.type = spec.type;
  switch (spec.type) {
    case ValueType::kBool:
      if (!node.IsScalar()) throw std::invalid_argument("not a scalar");
      v.b = node.as<bool>();
      break;
    case ValueType::kInt: v.i = static_cast<int64_t>(scalar_number(node, true)); break;
    case ValueType::kFloat: v.f = scalar_number(node, false); break;
    case ValueType::kString:
      if (!node.IsScalar()) throw std::invalid_argument("not a scalar");
      v.s = node.Scalar();
      break;
    case ValueType::kIntList:
    case ValueType::kFloatList:
      if (!node.IsSequence()) throw std::invalid_argument("not a list");
      for (const auto& item : node) v.numbers.push_back(scalar_number(item, spec.type == ValueType::kIntList));
      v.shape = {static_cast<int64_t>(v.numbers.size())};
      break;
    case ValueType::kStringList:
      if (!node.IsSequence()) throw std::invalid_argument("not a list");
      for (const auto& item : node) {
        if (!item.IsScalar()) throw std::invalid_argument("not a scalar");
        v.strings.push_back(item.Scalar());
      }
      break;
    case ValueType::kArray: flatten_array(node, 0, v); break;
  }
  return v;
}

// Range and choice checks; returns an empty string when the value is allowed.
std::string check_allowed(const KeySpec& spec, const Value& v) {
  if (spec.type == ValueType::kString || spec.type == ValueType::kStringList) {
    const auto words = spec.type == ValueType::kString ? std::vector<std::string>{v.s} : v.strings;
    for (const auto& word : words) {
      if (spec.choices.empty() || std::find(spec.choices.begin(), spec.choices.end(), word) != spec.choices.end())
        continue;
      return fmt::format("'{}' is not one of: {}{}", word, fmt::join(spec.choices, ", "),
                         suggestion(word, spec.choices));
    }
    return "";
  }
  std::vector<double> nums = v.numbers;
  if (spec.type == ValueType::kInt) nums = {static_cast<double>(v.i)};
  if (spec.type == ValueType::kFloat) nums = {v.f};
  for (double x : nums) {
    const bool low = spec.min_exclusive ? x <= spec.min : x < spec.min;
    if (low || x > spec.max) return fmt::format("{} is out of range; allowed: {}", x, describe_range(spec));
  }
  return "";
}

}  // namespace

namespace {
const std::vector<KeySpec>* installed_schema = nullptr;
}  // namespace

void install_config_schema(const std::vector<KeySpec>& schema) { installed_schema = &schema; }

const std::vector<KeySpec>& config_schema() {
  if (!installed_schema) throw std::logic_error("no configuration schema installed: call start_program() first");
  return *installed_schema;
}

const KeySpec* find_key_spec(const std::string& path) {
  for (const auto& spec : config_schema())
    if (spec.path == path) return &spec;
  return nullptr;
}

Config Config::defaults() {
  Config cfg;
  for (const auto& spec : config_schema()) {
    cfg.values_[spec.path] = spec.default_value;
    cfg.values_[spec.path].type = spec.type;
    cfg.origins_[spec.path] = "default";
  }
  cfg.source_ = "<defaults>";
  return cfg;
}

namespace {

void read_mapping(const YAML::Node& node, const std::string& prefix, const std::string& file,
                  std::vector<std::pair<std::string, YAML::Node>>& leaves) {
  for (const auto& item : node) {
    const std::string key = item.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const auto line = item.first.Mark().line + 1;
    if (find_key_spec(path)) {
      leaves.emplace_back(path, item.second);
    } else if (is_group(path)) {
      if (!item.second.IsMap())
        throw ConfigError(fmt::format("{}:{}: {}: is a group of keys and needs a mapping", file, line, path));
      read_mapping(item.second, path, file, leaves);
    } else {
      throw ConfigError(fmt::format("{}:{}: {}", file, line, unknown_key_message(path)));
    }
  }
}

}  // namespace

Config Config::load(const std::string& file, const std::vector<std::string>& overrides) {
  Config cfg = defaults();
  if (!file.empty()) cfg = cfg.with_file(file);
  return cfg.with_overrides(overrides);
}

Config Config::with_file(const std::string& file) const {
  Config cfg = *this;
  cfg.source_ = file;
  const YAML::Node root = load_yaml_mapping(file, "config");
  std::vector<std::pair<std::string, YAML::Node>> leaves;
  read_mapping(root, "", file, leaves);
  for (const auto& [path, node] : leaves) {
    const KeySpec& spec = *find_key_spec(path);
    const std::string origin = fmt::format("{}:{}", file, node.Mark().line + 1);
    Value v;
    try {
      v = convert(spec, node);
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("{}: {}: expected {}", origin, path, type_name(spec.type)));
    }
    const auto why = check_allowed(spec, v);
    if (!why.empty()) throw ConfigError(fmt::format("{}: {}: {}", origin, path, why));
    cfg.values_[path] = v;
    cfg.origins_[path] = origin;
  }
  return cfg;
}

Config Config::with_value(const std::string& key, const std::string& yaml_text, const std::string& origin) const {
  Config cfg = *this;
  cfg.set_from_yaml_text(key, yaml_text, origin);
  return cfg;
}

Config Config::with_overrides(const std::vector<std::string>& overrides) const {
  Config cfg = *this;
  for (const auto& item : overrides) {
    const auto eq = item.find('=');
    const std::string origin = cfg.source_ == "<defaults>" ? fmt::format("override '{}'", item)
                                                           : fmt::format("{}: override '{}'", cfg.source_, item);
    if (eq == std::string::npos || eq == 0)
      throw ConfigError(fmt::format("{}: overrides are written key=value (dotted key path)", origin));
    cfg.set_from_yaml_text(item.substr(0, eq), item.substr(eq + 1), origin);
  }
  return cfg;
}

void Config::set_from_yaml_text(const std::string& key, const std::string& text, const std::string& origin) {
  const KeySpec* spec = find_key_spec(key);
  if (!spec) {
    if (is_group(key)) throw ConfigError(fmt::format("{}: '{}' is a group; set one of its keys", origin, key));
    throw ConfigError(fmt::format("{}: {}", origin, unknown_key_message(key)));
  }
  measure_yaml_text(text, origin);
  Value v;
  try {
    v = convert(*spec, YAML::Load(text));
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("{}: {}: expected {}", origin, key, type_name(spec->type)));
  }
  const auto why = check_allowed(*spec, v);
  if (!why.empty()) throw ConfigError(fmt::format("{}: {}: {}", origin, key, why));
  values_[key] = v;
  origins_[key] = origin;
}

const Value& Config::get(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("gftlab: no config key " + key);
  return it->second;
}

bool Config::get_bool(const std::string& key) const { return get(key).b; }
int64_t Config::get_int(const std::string& key) const { return get(key).i; }
double Config::get_float(const std::string& key) const { return get(key).f; }
std::string Config::get_string(const std::string& key) const { return get(key).s; }
std::vector<double> Config::get_float_list(const std::string& key) const { return get(key).numbers; }
std::vector<std::string> Config::get_string_list(const std::string& key) const { return get(key).strings; }
std::vector<int64_t> Config::get_int_list(const std::string& key) const {
  const auto& nums = get(key).numbers;
  return {nums.begin(), nums.end()};
}

ConfigError Config::error(const std::string& key, const std::string& message) const {
  const auto it = origins_.find(key);
  const std::string origin =
      it == origins_.end() || it->second == "default" ? fmt::format("{} (default value)", source_) : it->second;
  return ConfigError(fmt::format("{}: {}: {}", origin, key, message));
}

std::string Config::serialise(const std::vector<std::string>& prefixes) const {
  // Emits nested YAML from sorted dotted keys: a group header whenever the path prefix changes.
  std::ostringstream out;
  std::vector<std::string> open;
  for (const auto& [path, value] : values_) {
    const bool wanted = prefixes.empty() || std::any_of(prefixes.begin(), prefixes.end(), [&](const auto& p) {
                          return path == p || path.rfind(p + ".", 0) == 0;
                        });
    if (!wanted) continue;
    std::vector<std::string> parts;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (size_t k = common; k + 1 < parts.size(); ++k) {
      out << std::string(2 * k, ' ') << parts[k] << ":\n";
      open.push_back(parts[k]);
    }
    out << std::string(2 * (parts.size() - 1), ' ') << parts.back() << ": " << format_value(value) << "\n";
  }
  return out.str();
}

std::string Config::canonical_yaml(bool results_only) const {
  if (!results_only) return serialise({});
  std::vector<std::string> keep;
  for (const auto& spec : config_schema())
    if (spec.affects_results) keep.push_back(spec.path);
  return serialise(keep);
}

std::string Config::run_id() const { return sha256_hex(canonical_yaml(true)).substr(0, 16); }

std::string Config::hash_of(const std::vector<std::string>& prefixes) const {
  return sha256_hex(serialise(prefixes)).substr(0, 16);
}

}  // namespace gftlab
