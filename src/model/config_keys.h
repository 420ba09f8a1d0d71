// The configuration keys of the model layer: `model.*`, and the model-shaped keys the training blocks list
// (`pretrain.import`: a model from a file; `finetune.trainable`: which of its parameters train).
#pragma once

#include <string>
#include <vector>

namespace gftlab {

struct KeySpec;

void add_model_keys(std::vector<KeySpec>& keys);
std::vector<std::string> model_kind_names();  // model.kind (the table in make_velocity_field.cpp)
std::vector<std::string> activation_names();  // model.activation (the table in mlp.cpp)
void add_import_key(std::vector<KeySpec>& keys);
void add_trainable_key(std::vector<KeySpec>& keys);

}  // namespace gftlab
