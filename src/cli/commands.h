#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

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
  int64_t max_runs = kDefaultMaxRuns;  // a larger sweep is refused before anything is built
  // SLURM (submit, resume --backend slurm, worker)
  std::map<std::string, std::string> slurm;  // command-line values of the slurm options, by key
  bool wait = false;
  std::string backend = "local";
  std::string manifest;
  int64_t index = 0;
  int64_t runs_per_task = 1;
};

int command_run(const RunArgs& args);
int command_pretrain(const RunArgs& args);
int command_sweep_plan(const SweepArgs& args);
int command_sweep_run(const SweepArgs& args);
int command_sweep_status(const SweepArgs& args);
int command_sweep_collect(const SweepArgs& args);
int command_sweep_submit(const SweepArgs& args);
int command_sweep_resume(const SweepArgs& args);
int command_sweep_worker(const SweepArgs& args);
int command_report(const SweepArgs& args);
int command_config(const ConfigArgs& args);
int command_features(const ConfigArgs& args, int threads);
int command_inspect(const std::string& path);
int command_export_tensorboard(const SweepArgs& args);

}  // namespace gftlab
