// U-Net velocity field for images [C, H, W] (H and W divisible by 2^(levels - 1)): residual blocks with
// group normalisation and an additive time embedding, a strided-convolution encoder, a nearest-neighbour
// upsampling decoder with skip connections.
#pragma once

#include <vector>

#include "model/velocity_field.h"

namespace gftlab {

struct UNetSettings {
  int64_t image_channels = 1;
  int64_t channels = 32;                   // width of the first level
  std::vector<int64_t> mults = {1, 2, 2};  // width multiplier per level; one downsampling between levels
  int64_t blocks = 2;                      // residual blocks per level on the way down
  int64_t time_embed_dim = 64;
  int64_t groups = 8;  // group-norm groups (must divide every width)
};

FieldPtr make_unet(const UNetSettings& settings);

}  // namespace gftlab
