// RunLog: one HDF5 file per run (schema in docs/runs.md). Written under a temporary name beside the
// final path and renamed only by commit(), so a killed run never leaves a file that looks complete.
// The sweep summary (summary.h5) is written with the same atomic writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gftlab {

class EventFile;

class RunLog {
 public:
  explicit RunLog(std::string final_path);
  // Continues a file from a snapshot() of it: those bytes become the temporary file again.
  RunLog(std::string final_path, const std::vector<uint8_t>& snapshot);
  ~RunLog();  // an uncommitted file is deleted
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  void attr(const std::string& name, const std::string& value);
  void attr(const std::string& name, int64_t value);
  void attr(const std::string& name, double value);
  // Appends to a 1-D extendible dataset such as "train/loss", creating it and its groups on first use.
  void append(const std::string& dataset, const std::vector<double>& values);
  void append(const std::string& dataset, const std::vector<int64_t>& values);
  // Appends one [count, height, width] block of 8-bit images to a [n, count, height, width] dataset.
  void append_images(const std::string& dataset, const std::vector<uint8_t>& pixels, int64_t count, int64_t height,
                     int64_t width);
  // A 1-D uint8 dataset written at once (e.g. the bytes of a PNG file).
  void bytes(const std::string& dataset, const std::vector<uint8_t>& data);
  // A scalar dataset, e.g. "final/w2".
  void scalar(const std::string& dataset, double value);
  // A 1-D dataset of UTF-8 strings, written at once.
  void strings(const std::string& dataset, const std::vector<std::string>& values);
  // A link at `link` to the root group of another file (relative paths resolve beside this file).
  void external_link(const std::string& link, const std::string& target_file);
  void flush();
  // Every 1-D series appended from now on also goes to `events` (TensorBoard), which must outlive this log.
  void mirror_to(EventFile* events) { mirror_ = events; }
  // The file's bytes as a complete HDF5 file (closed around the copy, then reopened), for a checkpoint.
  std::vector<uint8_t> snapshot();
  void commit();

  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  void open_temp(const std::vector<uint8_t>* snapshot);  // a new file, or the snapshot's bytes
  void reopen();
  void append_raw(const std::string& dataset, const void* data, size_t n, bool integer);
  std::string final_path_, temp_path_;
  int64_t file_ = -1;
  bool committed_ = false;
  EventFile* mirror_ = nullptr;
};

}  // namespace gftlab
