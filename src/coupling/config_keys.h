// The configuration keys of the couplings: `coupling.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_coupling_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
