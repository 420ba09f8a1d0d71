#include "model/config_keys.h"

#include "core/schema_builders.h"

namespace gftlab {

void add_model_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(
      choice("model.kind", "mlp", {"mlp", "unet"}, "velocity network: an MLP for vectors, a U-Net for images"));
  keys.push_back(integer("model.width", 256, "`mlp`: hidden width", kAtLeastOne));
  keys.push_back(integer("model.depth", 3, "`mlp`: number of hidden layers", kAtLeastOne));
  keys.push_back(
      choice("model.activation", "silu", {"silu", "relu", "gelu", "tanh", "softplus"}, "`mlp`: hidden activation"));
  keys.push_back(integer("model.unet.channels", 32, "`unet`: channels of the first level", kAtLeastOne));
  keys.push_back(list("model.unet.mults", ValueType::kIntList, {1, 2, 2},
                      "`unet`: channel multiplier per level (a 2x downsampling between levels)", kAtLeastOne));
  keys.push_back(integer("model.unet.blocks", 2, "`unet`: residual blocks per level", kAtLeastOne));
  keys.push_back(
      integer("model.unet.groups", 8, "`unet`: group-norm groups (divides every level's channels)", kAtLeastOne));
  keys.push_back(integer("model.time_embed_dim", 64, "sinusoidal time-embedding size (even)", {2.0, kInf}));
}

}  // namespace gftlab
