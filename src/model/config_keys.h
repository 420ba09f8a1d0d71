// The configuration keys of the model layer: `model.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_model_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
