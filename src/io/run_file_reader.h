// Reads back what RunLog wrote (for `gftlab inspect` and the tests).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace gftlab {

struct RunFileSummary {
  std::map<std::string, std::string> attributes;       // every root attribute, rendered as text
  std::map<std::string, double> finals;                // /final/*
  std::map<std::string, std::vector<double>> series;   // every 1-D dataset, by path ("train/loss")
  std::map<std::string, std::vector<int64_t>> shapes;  // every dataset's shape ({} for scalars)
};

RunFileSummary read_run_file(const std::string& path);
// One root attribute as text ("" when absent), without reading the datasets.
std::string read_run_attribute(const std::string& path, const std::string& name);

}  // namespace gftlab
