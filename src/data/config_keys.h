// The configuration keys of the data layer: `source.*`, `target.*` and the target's split sizes.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_data_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
