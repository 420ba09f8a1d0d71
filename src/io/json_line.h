// The one JSON writer: every .json and .jsonl file gftlab writes (the sweep manifest, the array manifests,
// SLURM's submissions.jsonl) is made of these one-line objects, keys in the order added, strings escaped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gftlab {

// `s` as a JSON string literal: quotes, backslashes and control characters escaped (UTF-8 passes through).
std::string json_string(const std::string& s);

class JsonLine {
 public:
  JsonLine& add(const std::string& key, const std::string& value);
  JsonLine& add(const std::string& key, int64_t value);
  JsonLine& add(const std::string& key, const std::vector<std::string>& values);  // an array of strings
  JsonLine& add(const std::string& key, const std::vector<std::pair<std::string, std::string>>& members);  // an object
  std::string str() const;  // the object and a newline

 private:
  std::vector<std::string> members_;
};

}  // namespace gftlab
