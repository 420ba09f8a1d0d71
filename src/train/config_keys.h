// The configuration keys of training: `pretrain.*` and `finetune.*`.
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_training_keys(std::vector<KeySpec>& keys);

}  // namespace gftlab
