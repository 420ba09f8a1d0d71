// The distributions of source.kind and target.kind, one row each: adding one is a row (distributions.cpp), its
// class or function and its test. Free of LibTorch, for the schema.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class Distribution;
struct DataFile;

struct DistributionKind {
  std::string name;
  // The distribution configured under `prefix` ("source" or "target"); ConfigError on bad values.
  std::unique_ptr<Distribution> (*make)(const Config& cfg, const std::string& prefix);
  // The files it reads, from the configuration alone (none for the synthetic kinds).
  std::vector<DataFile> (*files)(const Config& cfg, const std::string& prefix);
  const char* missing_file_remedy;  // appended to the error when one of those files cannot be read ("" none)
};

const std::vector<DistributionKind>& distribution_table();
std::vector<std::string> distribution_kinds();  // the names, for the schema

}  // namespace gftlab
