#include "io/json_line.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gftlab {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += c;
    }
  }
  return out + "\"";
}

JsonLine& JsonLine::add(const std::string& key, const std::string& value) {
  members_.push_back(json_string(key) + ": " + json_string(value));
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, int64_t value) {
  members_.push_back(json_string(key) + ": " + std::to_string(value));
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const auto& v : values) quoted.push_back(json_string(v));
  members_.push_back(fmt::format("{}: [{}]", json_string(key), fmt::join(quoted, ", ")));
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<std::string> inner;
  for (const auto& [k, v] : members) inner.push_back(json_string(k) + ": " + json_string(v));
  members_.push_back(fmt::format("{}: {{{}}}", json_string(key), fmt::join(inner, ", ")));
  return *this;
}

std::string JsonLine::str() const { return fmt::format("{{{}}}\n", fmt::join(members_, ", ")); }

}  // namespace gftlab
