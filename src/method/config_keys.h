// The configuration keys of the methods: `method.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_method_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
