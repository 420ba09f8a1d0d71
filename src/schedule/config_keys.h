// The configuration keys of the schedule layer: `method.schedule.*`, the cooling schedule of GFT's beta.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_schedule_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
