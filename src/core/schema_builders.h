// Building blocks of the configuration schema. Each layer contributes the keys of its own components
// (<layer>/config_keys.h); run/config_schema.cpp puts them together, in the order of the reference.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/config.h"

namespace gftlab::schema {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Range {
  double min = -kInf;
  double max = kInf;
  bool min_exclusive = false;
};
constexpr Range kPositive{0.0, kInf, true};
constexpr Range kNonNegative{0.0, kInf, false};
constexpr Range kAtLeastOne{1.0, kInf, false};

KeySpec make(std::string path, ValueType type, Value value, std::string doc, Range range = {});
KeySpec integer(std::string path, int64_t def, std::string doc, Range range = {});
KeySpec number(std::string path, double def, std::string doc, Range range = {});
KeySpec choice(std::string path, std::string def, std::vector<std::string> choices, std::string doc);
KeySpec text(std::string path, std::string def, std::string doc);
KeySpec list(std::string path, ValueType type, std::vector<double> def, std::string doc, Range range = {});
// A list of strings, each one of `choices`.
KeySpec string_list(std::string path, std::vector<std::string> def, std::vector<std::string> choices, std::string doc);
KeySpec array(std::string path, std::string doc);
// An execution setting (threads, output paths): left out of the run_id.
KeySpec execution(KeySpec spec);

// The values of the core key `progress` (io/progress.h parses them).
const std::vector<std::string>& progress_mode_names();

// The keys of the core layer: the seed, execution settings and output locations.
void add_core_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab::schema
