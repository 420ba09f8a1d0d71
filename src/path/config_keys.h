// The configuration keys of the path layer: `path.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_path_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
