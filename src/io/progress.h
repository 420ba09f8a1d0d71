// Progress display: a redrawn bar on a terminal, plain periodic lines otherwise (logs, CI, SLURM).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace gftlab {

class Progress {
 public:
  enum class Mode { kAuto, kBar, kLines, kNone };  // in the order of progress_mode_names()
  // mode_name: one of progress_mode_names(); auto picks bar when stderr is a terminal.
  Progress(const std::string& mode_name, std::string label, int64_t total);
  void update(int64_t done, double loss);
  void finish(const std::string& status);

 private:
  Mode mode_;
  std::string label_;
  int64_t total_;
  std::chrono::steady_clock::time_point start_, last_;
  int64_t last_line_done_ = 0;
};

}  // namespace gftlab
