// Runner: one complete run. The constructor builds and validates every component (no training
// happens before all configuration errors have been reported); run() pretrains or reuses the
// pretrained model, fine-tunes, evaluates and writes the run file.
#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/config.h"

namespace gftlab {

class Distribution;
class Method;
class Metric;
class Path;
class Coupling;
class FeatureSpace;
class Sampler;

enum class RunStatus { kComplete, kDiverged };

struct RunResult {
  RunStatus status = RunStatus::kComplete;
  std::string path;
  int exit_code() const { return status == RunStatus::kComplete ? 0 : 3; }
};

// Where a run's checkpoint lives: beside its run file, <stem>.ckpt (run/run_checkpoint.h).
std::string checkpoint_path_of(const std::string& run_file);

class Runner {
 public:
  explicit Runner(Config cfg);
  ~Runner();
  RunResult run();
  // Where the run file goes: output.file, or <output.dir>/<run_id>.h5.
  std::string output_path() const;

 private:
  Config cfg_;
  at::Device device_ = at::kCPU;  // `device`; the networks and training batches live there
  std::unique_ptr<Distribution> source_, target_;
  std::unique_ptr<Path> path_;
  std::unique_ptr<Coupling> coupling_;
  std::unique_ptr<Sampler> sampler_;
  std::vector<std::unique_ptr<Metric>> metrics_;
  std::set<std::string> final_only_;         // metric groups evaluated at the end only
  std::unique_ptr<FeatureSpace> features_;   // image targets, or eval.features.torchscript
  std::unique_ptr<FeatureSpace> inception_;  // eval.fid.inception
};

}  // namespace gftlab
