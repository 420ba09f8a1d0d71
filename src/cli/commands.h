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

struct SweepArgs {
  std::string experiment;
  std::string profile = "quick";
  std::vector<std::string> overrides;
  bool dry_run = false;
  int jobs = 1;
  int threads = 0;
};

int command_run(const RunArgs& args);
int command_sweep_plan(const SweepArgs& args);
int command_sweep_run(const SweepArgs& args);
int command_sweep_status(const SweepArgs& args);
int command_sweep_collect(const SweepArgs& args);
int command_report(const SweepArgs& args);
int command_config(const ConfigArgs& args);
int command_features(const ConfigArgs& args, int threads);
int command_inspect(const std::string& path);

}  // namespace gftlab
