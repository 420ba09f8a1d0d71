#include "features/config_keys.h"

#include "core/schema_builders.h"

namespace gftlab {

void add_feature_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(integer("features.width", 32, "image feature network: channels of its first convolution",
                         kAtLeastOne));
  keys.push_back(integer("features.epochs", 5, "image feature network: training epochs over the 60 000 images",
                         kAtLeastOne));
  keys.push_back(integer("features.batch_size", 128, "image feature network: minibatch size", kAtLeastOne));
  keys.push_back(number("features.lr", 1e-3, "image feature network: Adam learning rate", kPositive));
  keys.push_back(integer("features.seed", 0, "image feature network: seed of its initialisation and batches",
                         kNonNegative));
}

}  // namespace gftlab
