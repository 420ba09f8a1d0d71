// TensorBoard's event files, written directly: each record is a length, its masked CRC-32C, a serialised
// `Event` protobuf (wall_time, step, and a Summary with one simple_value) and that payload's masked CRC-32C.
// W&B and Aim import these files (`wandb sync --sync-tensorboard`). The HDF5 run file stays the source of
// truth; this is a live view of its series while a run trains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace gftlab {

// CRC-32C (Castagnoli), and the rotation TFRecord stores ("masked").
uint32_t crc32c(const void* data, size_t size);
uint32_t masked_crc32c(const void* data, size_t size);

// One run's events, in <directory>/events.out.tfevents.gftlab (one file, so that a resumed run rewrites it).
class EventFile {
 public:
  // A new file; or, with `keep_through_step` >= 0 (a run resumed from its checkpoint at that step), the
  // existing file's events up to that step and no later, so that no step appears twice. std::runtime_error
  // naming the file when it cannot be written.
  explicit EventFile(const std::string& directory, int64_t keep_through_step = -1);
  void scalar(const std::string& tag, int64_t step, double value);
  // A run file's 1-D series as they are appended: in the per-step groups (train/, eval/, quality/), the
  // group's `step` dataset pairs the values of its other datasets with their steps; each is one scalar per
  // step, tagged with its path. Other datasets are not events. Written and flushed at once.
  void series(const std::string& path, const std::vector<double>& values);
  void series(const std::string& path, const std::vector<int64_t>& values);

 private:
  void record(const std::string& event);

  std::string path_;
  std::ofstream out_;
  std::map<std::string, std::vector<int64_t>> steps_;  // group ("train/") -> the steps appended last
};

// The file's records, each checked against its CRCs, as the (step, event bytes) pairs of the Event protobufs
// (step 0 for the file version); a cut or corrupt last record ends the list. For rewriting a resumed run's file.
std::vector<std::pair<int64_t, std::string>> read_event_records(const std::string& path);

// Where a run file's events go by default: RUN.h5 -> RUN.tensorboard/.
std::string events_directory_of(const std::string& run_file);

// The events of a finished run file (a run made before event files existed, or with output.tensorboard: off),
// written anew into `directory`: the same scalars a live run writes.
void export_events(const std::string& run_file, const std::string& directory);

}  // namespace gftlab
