// The whole configuration schema, put together where every component is known: each layer contributes its
// own keys, in the order of docs/config.md's reference. Core's Config reads it once start_program() installed it.
#include "run/config_schema.h"

#include "core/runtime.h"
#include "core/schema_builders.h"
#include "coupling/config_keys.h"
#include "data/config_keys.h"
#include "features/config_keys.h"
#include "method/config_keys.h"
#include "metrics/config_keys.h"
#include "model/config_keys.h"
#include "path/config_keys.h"
#include "train/config_keys.h"

namespace gftlab {
namespace {

std::vector<KeySpec> build_schema() {
  std::vector<KeySpec> keys;
  schema::add_core_keys(keys);
  add_data_keys(keys);
  add_path_keys(keys);
  add_model_keys(keys);
  add_training_keys(keys);
  add_method_keys(keys);
  add_coupling_keys(keys);
  add_eval_keys(keys);
  add_feature_keys(keys);
  add_stability_keys(keys);
  return keys;
}

}  // namespace

const std::vector<KeySpec>& full_config_schema() {
  static const std::vector<KeySpec> schema = build_schema();
  return schema;
}

void start_program() {
  select_blas_kernel();
  tune_allocator();
  install_config_schema(full_config_schema());
}

}  // namespace gftlab
