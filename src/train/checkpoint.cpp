#include "train/checkpoint.h"

#include "core/stop_signal.h"

namespace gftlab {
namespace {

template <typename T>
void write_any(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<T>& v,
               at::ScalarType type) {
  const auto n = static_cast<int64_t>(v.size());
  archive.write(key, at::from_blob(const_cast<T*>(v.data()), {n}, at::TensorOptions(type)).clone());
}

}  // namespace

bool CheckpointClock::due() const {
  if (stop_requested()) return true;
  return every_seconds_ > 0 &&
         std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= every_seconds_;
}

void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<double>& v) {
  write_any(archive, key, v, at::kDouble);
}
void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<int64_t>& v) {
  write_any(archive, key, v, at::kLong);
}
void write_vector(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<uint8_t>& v) {
  write_any(archive, key, v, at::kByte);
}

template <typename T>
std::vector<T> read_vector(torch::serialize::InputArchive& archive, const std::string& key) {
  at::Tensor t;
  archive.read(key, t);
  t = t.contiguous();
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
}

template std::vector<double> read_vector<double>(torch::serialize::InputArchive&, const std::string&);
template std::vector<int64_t> read_vector<int64_t>(torch::serialize::InputArchive&, const std::string&);
template std::vector<uint8_t> read_vector<uint8_t>(torch::serialize::InputArchive&, const std::string&);

}  // namespace gftlab
