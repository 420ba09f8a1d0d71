// The configuration keys of the sampler layer: `eval.sampler.*`, the sampler of the quality metrics.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_sampler_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
