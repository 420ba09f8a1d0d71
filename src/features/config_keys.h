// The configuration keys of the image feature network: `features.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_feature_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
