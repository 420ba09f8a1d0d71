#include "io/tensorboard.h"

#include "io/run_file_reader.h"
#include "io/run_layout.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

namespace gftlab {
namespace {

namespace fs = std::filesystem;

constexpr char kFileName[] = "events.out.tfevents.gftlab";
const std::vector<std::string> kGroups = {run_layout::kTrain, run_layout::kEval, run_layout::kQuality};

// The per-step group of a dataset path ("train/" of "train/loss"), "" for any other.
std::string group_of(const std::string& path) {
  const auto slash = path.find('/');
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos) return "";
  const auto group = path.substr(0, slash + 1);
  return std::find(kGroups.begin(), kGroups.end(), group) != kGroups.end() ? group : "";
}

const std::array<uint32_t, 256>& crc_table() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82f63b78u ^ (c >> 1) : c >> 1;  // the Castagnoli polynomial
      t[n] = c;
    }
    return t;
  }();
  return table;
}

// Protobuf's wire format, as much as an Event with a scalar summary needs.
void varint(std::string& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
  out += static_cast<char>(v);
}

template <class T>
void fixed(std::string& out, T v) {  // little-endian, as on every machine gftlab builds for
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void field(std::string& out, int number, const std::string& bytes) {  // a length-delimited field
  varint(out, static_cast<uint64_t>(number) << 3 | 2);
  varint(out, bytes.size());
  out += bytes;
}

std::string event_header(double wall_time) {
  std::string event;
  varint(event, 1 << 3 | 1);  // Event.wall_time, double
  fixed(event, wall_time);
  return event;
}

double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

uint64_t read_varint(const std::string& s, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0; at < s.size() && shift < 64; shift += 7) {
    const auto byte = static_cast<uint8_t>(s[at++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
  throw std::runtime_error("a truncated varint");
}

// Event.step (field 2); 0 where absent (the file_version record).
int64_t step_of(const std::string& event) {
  for (size_t at = 0; at < event.size();) {
    const uint64_t key = read_varint(event, at);
    const int wire = static_cast<int>(key & 7);
    if ((key >> 3) == 2 && wire == 0) return static_cast<int64_t>(read_varint(event, at));
    if (wire == 0)
      read_varint(event, at);
    else if (wire == 1)
      at += 8;
    else if (wire == 5)
      at += 4;
    else if (wire == 2)
      at += read_varint(event, at);
    else
      throw std::runtime_error("an unknown wire type");
  }
  return 0;
}

}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t c = 0xffffffffu;
  for (size_t k = 0; k < size; ++k) c = crc_table()[(c ^ bytes[k]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t c = crc32c(data, size);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::vector<std::pair<int64_t, std::string>> read_event_records(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", path));
  std::vector<std::pair<int64_t, std::string>> records;
  uint64_t length = 0;
  while (in.read(reinterpret_cast<char*>(&length), 8)) {
    uint32_t length_crc = 0, data_crc = 0;
    std::string data(length, '\0');
    in.read(reinterpret_cast<char*>(&length_crc), 4);
    in.read(data.data(), static_cast<std::streamsize>(length));
    in.read(reinterpret_cast<char*>(&data_crc), 4);
    // A run killed while writing leaves a partial last record: it ends the file.
    if (!in || length_crc != masked_crc32c(&length, 8) || data_crc != masked_crc32c(data.data(), data.size())) break;
    records.emplace_back(step_of(data), std::move(data));
  }
  return records;
}

EventFile::EventFile(const std::string& directory, int64_t keep_through_step)
    : path_((fs::path(directory) / kFileName).string()) {
  fs::create_directories(directory);
  std::vector<std::pair<int64_t, std::string>> kept;
  if (keep_through_step >= 0 && fs::exists(path_))
    for (auto& [step, event] : read_event_records(path_))
      if (step <= keep_through_step) kept.emplace_back(step, std::move(event));
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(fmt::format("{}: cannot be written", path_));
  if (kept.empty()) {
    std::string version = event_header(now());
    field(version, 3, "brain.Event:2");  // Event.file_version: what TensorBoard's reader expects first
    record(version);
  }
  for (const auto& [step, event] : kept) record(event);
  out_.flush();
}

void EventFile::record(const std::string& event) {
  const uint64_t length = event.size();
  std::string framed;
  fixed(framed, length);
  fixed(framed, masked_crc32c(&length, 8));
  framed += event;
  fixed(framed, masked_crc32c(event.data(), event.size()));
  out_.write(framed.data(), static_cast<std::streamsize>(framed.size()));
}

void EventFile::scalar(const std::string& tag, int64_t step, double value) {
  std::string value_message;
  field(value_message, 1, tag);       // Summary.Value.tag
  varint(value_message, 2 << 3 | 5);  // Summary.Value.simple_value, float
  fixed(value_message, static_cast<float>(value));
  std::string summary;
  field(summary, 1, value_message);  // Summary.value
  std::string event = event_header(now());
  varint(event, 2 << 3 | 0);  // Event.step
  varint(event, static_cast<uint64_t>(step));
  field(event, 5, summary);  // Event.summary
  record(event);
}

void EventFile::series(const std::string& path, const std::vector<int64_t>& values) {
  const auto group = group_of(path);
  if (!group.empty() && path == group + "step") {
    steps_[group] = values;
    return;
  }
  series(path, std::vector<double>(values.begin(), values.end()));
}

void EventFile::series(const std::string& path, const std::vector<double>& values) {
  const auto steps = steps_.find(group_of(path));
  if (steps == steps_.end() || steps->second.size() != values.size()) return;  // not a per-step series
  for (size_t k = 0; k < values.size(); ++k) scalar(path, steps->second[k], values[k]);
  out_.flush();
}

std::string events_directory_of(const std::string& run_file) {
  return fs::path(run_file).replace_extension(".tensorboard").string();
}

void export_events(const std::string& run_file, const std::string& directory) {
  const auto run = read_run_file(run_file);
  EventFile events(directory);
  for (const auto& group : kGroups) {
    const auto steps = run.series.find(group + "step");
    if (steps == run.series.end()) continue;
    events.series(steps->first, std::vector<int64_t>(steps->second.begin(), steps->second.end()));
    for (const auto& [path, values] : run.series)
      if (path != steps->first && group_of(path) == group) events.series(path, values);
  }
}

}  // namespace gftlab
