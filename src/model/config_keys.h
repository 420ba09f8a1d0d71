// The configuration keys of the model layer: `model.*`, and the model-shaped keys the training blocks list
// (`pretrain.import`: a model from a file; `finetune.trainable`: which of its parameters train).
#pragma once

#include <vector>

namespace gftlab {

struct KeySpec;

void add_model_keys(std::vector<KeySpec>& keys);
void add_import_key(std::vector<KeySpec>& keys);
void add_trainable_key(std::vector<KeySpec>& keys);

}  // namespace gftlab
