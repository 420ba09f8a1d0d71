// MLP velocity field for vectors: [x, sinusoidal(t)] -> width x depth -> d.
#pragma once

#include <string>

#include "model/velocity_field.h"

namespace gftlab {

FieldPtr make_mlp(int64_t dim, int64_t width, int64_t depth, int64_t time_embed_dim, const std::string& activation);

}  // namespace gftlab
