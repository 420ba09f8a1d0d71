#include "core/config_text.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gftlab {
namespace {

std::string format_number(double x, bool integer) {
  if (integer) return fmt::format("{}", static_cast<int64_t>(x));
  std::string s = fmt::format("{}", x);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string format_array(const Value& v, size_t depth, size_t& cursor) {
  if (depth == v.shape.size()) return format_number(v.numbers[cursor++], false);
  std::vector<std::string> parts;
  for (int64_t k = 0; k < v.shape[depth]; ++k) parts.push_back(format_array(v, depth + 1, cursor));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

size_t osa_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string format_value(const Value& v) {
  switch (v.type) {
    case ValueType::kBool: return v.b ? "true" : "false";
    case ValueType::kInt: return fmt::format("{}", v.i);
    case ValueType::kFloat: return format_number(v.f, false);
    case ValueType::kString: return quote(v.s);
    case ValueType::kIntList:
    case ValueType::kFloatList: {
      std::vector<std::string> parts;
      for (double x : v.numbers) parts.push_back(format_number(x, v.type == ValueType::kIntList));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    case ValueType::kStringList: {
      std::vector<std::string> parts;
      for (const auto& s : v.strings) parts.push_back(quote(s));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    case ValueType::kArray: {
      size_t cursor = 0;
      return format_array(v, 0, cursor);
    }
  }
  return "";
}

std::string describe_range(const KeySpec& spec) {
  const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
  if (has_min && has_max) return fmt::format("{}{}, {}]", spec.min_exclusive ? "(" : "[", spec.min, spec.max);
  if (has_min) return fmt::format("{} {}", spec.min_exclusive ? ">" : ">=", spec.min);
  if (has_max) return fmt::format("<= {}", spec.max);
  return "";
}

std::vector<std::string> closest_matches(const std::string& word, const std::vector<std::string>& pool) {
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& cand : pool) {
    const size_t dist = osa_distance(word, cand);
    if (dist <= limit && dist > 0) scored.emplace_back(dist, cand);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t k = 0; k < scored.size() && k < 3; ++k) out.push_back(scored[k].second);
  return out;
}

}  // namespace gftlab
