#include "model/config_keys.h"

#include "core/schema_builders.h"

namespace gftlab {

void add_model_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(
      choice("model.kind", "mlp", model_kind_names(), "velocity network: an MLP for vectors, a U-Net for images"));
  keys.push_back(integer("model.width", 256, "`mlp`: hidden width", kAtLeastOne));
  keys.push_back(integer("model.depth", 3, "`mlp`: number of hidden layers", kAtLeastOne));
  keys.push_back(choice("model.activation", "silu", activation_names(), "`mlp`: hidden activation"));
  keys.push_back(integer("model.unet.channels", 32, "`unet`: channels of the first level", kAtLeastOne));
  keys.push_back(list("model.unet.mults", ValueType::kIntList, {1, 2, 2},
                      "`unet`: channel multiplier per level (a 2x downsampling between levels)", kAtLeastOne));
  keys.push_back(integer("model.unet.blocks", 2, "`unet`: residual blocks per level", kAtLeastOne));
  keys.push_back(
      integer("model.unet.groups", 8, "`unet`: group-norm groups (divides every level's channels)", kAtLeastOne));
  keys.push_back(integer("model.time_embed_dim", 64, "sinusoidal time-embedding size (even)", {2.0, kInf}));
}

void add_import_key(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(text("pretrain.import", "",
                      "a pretrained velocity field as TorchScript (file): forward(t, x), t [N], x [N, sample shape], "
                      "fine-tuned and used as the frozen reference instead of pretraining one; its SHA-256 is the "
                      "pretrained id"));
}

void add_trainable_key(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(string_list("finetune.trainable", {}, {},
                             "the parameters fine-tuning trains, as name patterns (fnmatch, e.g. 'net.2.*'); "
                             "empty: all"));
}

}  // namespace gftlab
