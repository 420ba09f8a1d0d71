#include "data/idx_reader.h"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <memory>
#include <stdexcept>

#include "core/config.h"

namespace gftlab {
namespace {

constexpr unsigned char kUnsignedByte = 0x08;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

void read_exactly(gzFile f, void* out, size_t n, const std::string& path, const char* what) {
  size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(out);
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    const int got = gzread(f, bytes + done, chunk);
    if (got < 0) throw std::runtime_error(fmt::format("{}: not a readable gzip file", path));
    if (got == 0) throw std::runtime_error(fmt::format("{}: truncated {} ({} of {} bytes)", path, what, done, n));
    done += static_cast<size_t>(got);
  }
}

}  // namespace

at::Tensor read_idx_gz(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("{}: no such file", path));
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw std::runtime_error(fmt::format("{}: cannot open", path));
  unsigned char magic[4];
  read_exactly(f.get(), magic, 4, path, "header");
  if (magic[0] != 0 || magic[1] != 0 || magic[3] < 1 || magic[3] > 4)
    throw std::runtime_error(
        fmt::format("{}: bad IDX magic number {:02x}{:02x}{:02x}{:02x}", path, magic[0], magic[1], magic[2], magic[3]));
  if (magic[2] != kUnsignedByte)
    throw std::runtime_error(
        fmt::format("{}: IDX element type 0x{:02x}; only unsigned bytes (0x08) are read", path, magic[2]));
  std::vector<int64_t> dims(magic[3]);
  int64_t total = 1;
  for (auto& d : dims) {
    unsigned char be[4];
    read_exactly(f.get(), be, 4, path, "header");
    d = (int64_t(be[0]) << 24) | (int64_t(be[1]) << 16) | (int64_t(be[2]) << 8) | int64_t(be[3]);
    if (d <= 0 || d > (1 << 24)) throw std::runtime_error(fmt::format("{}: implausible IDX dimension {}", path, d));
    total *= d;
  }
  auto data = at::empty(dims, at::kByte);
  read_exactly(f.get(), data.data_ptr<uint8_t>(), static_cast<size_t>(total), path, "data");
  unsigned char extra;
  if (gzread(f.get(), &extra, 1) != 0)
    throw std::runtime_error(fmt::format("{}: data beyond the IDX header's size", path));
  return data;
}

at::Tensor pixels_to_unit_range(const at::Tensor& uint8_pixels) { return uint8_pixels.to(at::kFloat) / 127.5 - 1.0; }

at::Tensor to_unit_range(const at::Tensor& uint8_images) {
  return pixels_to_unit_range(uint8_images).unsqueeze(1).contiguous();
}

std::string fashion_mnist_dir() {
  const char* env = std::getenv("GFTLAB_FASHION_MNIST_DIR");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

std::pair<std::string, std::string> fashion_mnist_files(const std::string& split) {
  if (split != "train" && split != "test") throw std::invalid_argument("Fashion-MNIST split must be train or test");
  const std::string stem = split == "train" ? "train" : "t10k";
  const auto dir = std::filesystem::path(fashion_mnist_dir());
  return {(dir / (stem + "-images-idx3-ubyte.gz")).string(), (dir / (stem + "-labels-idx1-ubyte.gz")).string()};
}

LabelledImages load_fashion_mnist(const std::string& split) {
  const auto [images, labels] = fashion_mnist_files(split);
  for (const auto& file : {images, labels})
    if (!std::filesystem::exists(file))
      throw ConfigError(
          fmt::format("Fashion-MNIST file {} is missing: install the Debian package "
                      "dataset-fashion-mnist (make deps, or apt-get install dataset-fashion-mnist)",
                      file));
  LabelledImages out{read_idx_gz(images), read_idx_gz(labels).to(at::kLong)};
  if (out.images.dim() != 3 || out.images.size(1) != 28 || out.images.size(2) != 28)
    throw std::runtime_error(
        fmt::format("{}: expected images of 28 x 28, found shape {}", images, fmt::join(out.images.sizes(), " x ")));
  if (out.labels.dim() != 1 || out.labels.size(0) != out.images.size(0))
    throw std::runtime_error(
        fmt::format("{}: {} labels for {} images", labels, out.labels.numel(), out.images.size(0)));
  if (out.labels.max().item<int64_t>() > 9)
    throw std::runtime_error(fmt::format("{}: labels beyond the 10 classes", labels));
  return out;
}

}  // namespace gftlab
