// How configuration values and names are written for people: values in the canonical YAML form (the run_id is
// the hash of that text, so it must never change for a given value), the allowed range of a number, and the
// "did you mean" candidates of a misspelt key or kind.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"

namespace gftlab {

// A value as canonical YAML: floats always with a decimal point, strings quoted, lists and arrays in brackets.
std::string format_value(const Value& v);
// The allowed numbers of a key: "[0, 1]", "(0, 1]", "> 0", ... ("" when unbounded).
std::string describe_range(const KeySpec& spec);
// "did you mean" candidates by edit distance (optimal string alignment); empty when nothing is close.
std::vector<std::string> closest_matches(const std::string& word, const std::vector<std::string>& pool);

}  // namespace gftlab
