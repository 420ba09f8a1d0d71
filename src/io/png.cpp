#include "io/png.h"

#include <zlib.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace gftlab {
namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
  put32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put32(out, static_cast<uint32_t>(crc32(0, out.data() + start, static_cast<uInt>(out.size() - start))));
}

}  // namespace

std::vector<uint8_t> encode_png_gray(const std::vector<uint8_t>& pixels, int64_t height, int64_t width) {
  if (static_cast<int64_t>(pixels.size()) != height * width) throw std::invalid_argument("PNG: pixel count mismatch");
  std::vector<uint8_t> raw;  // each row starts with filter type 0 (none)
  for (int64_t r = 0; r < height; ++r) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + r * width, pixels.begin() + (r + 1) * width);
  }
  uLongf size = compressBound(raw.size());
  std::vector<uint8_t> deflated(size);
  if (compress2(deflated.data(), &size, raw.data(), raw.size(), 9) != Z_OK)
    throw std::runtime_error("PNG: zlib failed");
  deflated.resize(size);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> header;
  put32(header, static_cast<uint32_t>(width));
  put32(header, static_cast<uint32_t>(height));
  header.insert(header.end(), {8, 0, 0, 0, 0});  // 8-bit greyscale, deflate, adaptive filtering, no interlace
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", deflated);
  chunk(out, "IEND", {});
  return out;
}

std::vector<uint8_t> tile_images(const std::vector<uint8_t>& images, int64_t count, int64_t height, int64_t width,
                                 int64_t pad, int64_t* grid_height, int64_t* grid_width) {
  const int64_t cols = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(count))));
  const int64_t rows = (count + cols - 1) / cols;
  *grid_height = rows * height + (rows - 1) * pad;
  *grid_width = cols * width + (cols - 1) * pad;
  std::vector<uint8_t> grid(static_cast<size_t>(*grid_height * *grid_width), 0);
  for (int64_t k = 0; k < count; ++k)
    for (int64_t r = 0; r < height; ++r)
      for (int64_t c = 0; c < width; ++c)
        grid[((k / cols) * (height + pad) + r) * *grid_width + (k % cols) * (width + pad) + c] =
            images[(k * height + r) * width + c];
  return grid;
}

}  // namespace gftlab
