// Run configuration: a flat, validated map from dotted key paths to typed values. The schema (assembled in
// run/config_schema.cpp from each layer's config_keys.cpp, and handed to core by each program's start,
// start_program()) is the single source of keys, types, defaults, ranges and docs.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gftlab {

// Bad user input. The CLI maps it to exit code 2; `what()` already names the origin and key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ValueType { kBool, kInt, kFloat, kString, kIntList, kFloatList, kStringList, kArray };

struct Value {
  ValueType type = ValueType::kFloat;
  bool b = false;
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  std::vector<double> numbers;       // lists and arrays, row-major
  std::vector<int64_t> shape;        // arrays: nested shape; lists: {n}
  std::vector<std::string> strings;  // string lists
};

struct KeySpec {
  std::string path;
  ValueType type;
  Value default_value;
  std::string doc;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  std::vector<std::string> choices;  // strings (and string-valued lists) must be one of these
  bool affects_results = true;       // false: execution settings left out of the run_id
};

// Core knows no layer's keys: a program installs the whole schema before it makes its first Config, and
// config_schema() returns it (std::logic_error before that).
void install_config_schema(const std::vector<KeySpec>& schema);
const std::vector<KeySpec>& config_schema();
const KeySpec* find_key_spec(const std::string& path);

class Config {
 public:
  // All keys at their defaults.
  static Config defaults();
  // Parses `file` (may be empty for defaults only) then applies `key=value` overrides.
  static Config load(const std::string& file, const std::vector<std::string>& overrides = {});
  // Applies overrides to an already resolved config (used by sweeps and tests).
  Config with_overrides(const std::vector<std::string>& overrides) const;
  // Layers a YAML config file on top (sweeps compose `base:` files this way).
  Config with_file(const std::string& file) const;
  // Sets one dotted key from YAML text; `origin` is what error messages name (file:line and key path).
  Config with_value(const std::string& key, const std::string& yaml_text, const std::string& origin) const;

  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  // Strings by value: a reference into the config, bound from a call with a temporary key, is what GCC 13's
  // -Wdangling-reference flags (and what a caller could keep past the Config).
  std::string get_string(const std::string& key) const;
  std::vector<int64_t> get_int_list(const std::string& key) const;
  std::vector<double> get_float_list(const std::string& key) const;
  std::vector<std::string> get_string_list(const std::string& key) const;
  const Value& get(const std::string& key) const;

  // Canonical YAML: nested, keys sorted, numbers in shortest round-trip form.
  std::string canonical_yaml(bool results_only = false) const;
  // SHA-256 (hex, first 16 characters) of the canonical YAML of the keys that affect results.
  std::string run_id() const;
  // Hash of the keys under the given prefixes (content address of e.g. a pretrained model).
  std::string hash_of(const std::vector<std::string>& prefixes) const;

  // A ConfigError naming where `key` was set (file:line, override or default).
  ConfigError error(const std::string& key, const std::string& message) const;
  const std::string& source() const { return source_; }

 private:
  void set_from_yaml_text(const std::string& key, const std::string& text, const std::string& origin);
  std::string serialise(const std::vector<std::string>& prefixes) const;

  std::map<std::string, Value> values_;
  std::map<std::string, std::string> origins_;
  std::string source_;
};

}  // namespace gftlab
