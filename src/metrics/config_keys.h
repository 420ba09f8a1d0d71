// The configuration keys of evaluation (`eval.*`) and of the stability measures (`stability.*`).
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_eval_keys(std::vector<KeySpec>& keys);
void add_stability_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
