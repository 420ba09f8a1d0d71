// IDX files (the MNIST / Fashion-MNIST format), gzip-compressed, read with zlib.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <utility>

namespace gftlab {

// The uint8 array of a gzip IDX file, shaped by its header (e.g. [60000, 28, 28] or [60000]).
// std::runtime_error naming the file on a missing file, a bad magic number, an unsupported element
// type, a size that does not match the header, or trailing data.
at::Tensor read_idx_gz(const std::string& path);

struct LabelledImages {
  at::Tensor images;  // uint8 [n, 28, 28]
  at::Tensor labels;  // int64 [n], 0-9
};

// 8-bit pixels as float32 in [-1, 1], any shape: x / 127.5 - 1 (what models and the feature network see).
at::Tensor pixels_to_unit_range(const at::Tensor& uint8_pixels);
// 8-bit images [n, H, W] as float32 [n, 1, H, W] in [-1, 1].
at::Tensor to_unit_range(const at::Tensor& uint8_images);

// Where Debian's dataset-fashion-mnist puts the files; GFTLAB_FASHION_MNIST_DIR overrides it.
std::string fashion_mnist_dir();

// The images and labels files of the "train" or "test" split.
std::pair<std::string, std::string> fashion_mnist_files(const std::string& split);

// The "train" (60 000) or "test" (10 000) split. ConfigError naming the Debian package when its files are
// missing; std::runtime_error when they are corrupt or image and label counts disagree.
LabelledImages load_fashion_mnist(const std::string& split);

}  // namespace gftlab
