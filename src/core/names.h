// Kinds named in configs. Each layer keeps its kinds in one table of rows with a `name` (a schedule's shape, a
// coupling's or sampler's factory): the schema offers the names as the allowed values, and the code finds the row
// once, so an unknown kind cannot fall through a chain. Enums parsed from a list of names work the same way.
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

// The row of `rows` whose `name` is `name` (as above: the schema refused anything else first).
template <class Row>
const Row& kind_named(const std::vector<Row>& rows, const std::string& name) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& row) { return row.name == name; });
  if (it == rows.end()) throw std::invalid_argument("unknown kind '" + name + "'");
  return *it;
}

template <class Row>
std::vector<std::string> kind_names(const std::vector<Row>& rows) {
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row.name);
  return names;
}

}  // namespace gftlab
