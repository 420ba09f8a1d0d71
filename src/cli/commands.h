#pragma once

#include <string>
#include <vector>

namespace gftlab {

struct RunArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  int threads = 0;
};

struct ConfigArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool reference = false;
};

int command_run(const RunArgs& args);
int command_config(const ConfigArgs& args);
int command_inspect(const std::string& path);

}  // namespace gftlab
