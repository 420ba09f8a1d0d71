// A minimal PNG encoder (8-bit greyscale, zlib from the system): enough for sample grids in run files.
#pragma once

#include <cstdint>
#include <vector>

namespace gftlab {

// PNG file bytes of a height x width greyscale image given row by row.
std::vector<uint8_t> encode_png_gray(const std::vector<uint8_t>& pixels, int64_t height, int64_t width);

// Tiles count images of height x width (row-major, count * height * width bytes) into a square-ish grid
// with `pad` black pixels between them; returns the grid and its height and width.
std::vector<uint8_t> tile_images(const std::vector<uint8_t>& images, int64_t count, int64_t height, int64_t width,
                                 int64_t pad, int64_t* grid_height, int64_t* grid_width);

}  // namespace gftlab
