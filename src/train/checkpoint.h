// Checkpoints: LibTorch archives written atomically (io/archive_file.h), so that a checkpoint on disk is
// always complete. A CheckpointClock says when to write one: when a stop was requested (core/stop_signal.h)
// or every `every_seconds` of wall time, so that even a SIGKILLed run loses at most that much work.
#pragma once

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "io/archive_file.h"

namespace gftlab {

class CheckpointClock {
 public:
  explicit CheckpointClock(double every_seconds) : every_seconds_(every_seconds) {}
  bool due() const;
  void restart() { last_ = std::chrono::steady_clock::now(); }

 private:
  double every_seconds_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Host vectors as 1-D tensors in an archive, and back.
void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<double>& v);
void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<int64_t>& v);
void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<uint8_t>& v);
template <typename T>
std::vector<T> read_vector(torch::serialize::InputArchive& archive, const std::string& key);

}  // namespace gftlab
