#include "features/config_keys.h"

#include "core/schema_builders.h"

namespace gftlab {

void add_feature_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(
      integer("features.width", 32, "image feature network: channels of its first convolution", kAtLeastOne));
  keys.push_back(
      integer("features.epochs", 5, "image feature network: training epochs over its training images", kAtLeastOne));
  keys.push_back(integer("features.train_images", 60000,
                         "image feature network: training images, the first this many of Fashion-MNIST's training "
                         "split (60 000, all of it, by default; fewer for quick tests)",
                         {1.0, 60000.0}));
  keys.push_back(integer("features.batch_size", 128, "image feature network: minibatch size", kAtLeastOne));
  keys.push_back(number("features.lr", 1e-3, "image feature network: Adam learning rate", kPositive));
  keys.push_back(
      integer("features.seed", 0, "image feature network: seed of its initialisation and batches", kNonNegative));
  keys.push_back(text("eval.features.torchscript", "",
                      "a TorchScript feature extractor (file): forward(x) maps a batch as the model sees it "
                      "(images in [-1, 1]) to [n, D] features; FD, precision/recall, density/coverage and Vendi "
                      "are then computed in its space instead of the image feature network's"));
  keys.push_back(text("eval.features.name", "", "with eval.features.torchscript: the <name> of FD-<name>-<N>"));
  keys.push_back(text("eval.fid.inception", "",
                      "`fid`: the TorchScript Inception-v3 of clean-fid and StyleGAN (NVlabs' "
                      "inception-2015-12-05.pt, a file you supply: gftlab cannot download it); FID and KID in its "
                      "2048-d pool features"));
  keys.push_back(
      integer("eval.fid.kid_subsets", 100, "`fid`: KID's number of random subsets (as clean-fid)", kAtLeastOne));
  keys.push_back(integer("eval.fid.kid_subset_size", 1000, "`fid`: KID's largest subset (as clean-fid)", {2.0, kInf}));
}

}  // namespace gftlab
