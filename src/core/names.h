// Kinds named in configs: one list of names per enum, in the enum's order, which the schema offers as the
// allowed values and the code parses once into the enum (so an unknown kind cannot fall through a chain).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace gftlab {

template <class Enum>
Enum enum_from_name(const std::string& name, const std::vector<std::string>& names) {
  const auto it = std::find(names.begin(), names.end(), name);
  // The schema refuses unknown names with the file and line first; reaching this is a programming error.
  if (it == names.end()) throw std::invalid_argument("unknown kind '" + name + "'");
  return static_cast<Enum>(it - names.begin());
}

}  // namespace gftlab
