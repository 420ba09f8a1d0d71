#include "data/config_keys.h"

#include "core/schema_builders.h"
#include "data/distribution_names.h"

namespace gftlab {
namespace {

void add_distribution(std::vector<KeySpec>& keys, const std::string& p, const std::string& def_kind) {
  using namespace schema;
  keys.push_back(choice(p + ".kind", def_kind, distribution_kinds(),
                        "distribution: a 2-D toy, `gmm` (explicit mixture), `gmm_random` (random layout) or "
                        "`fashion_mnist` (1 x 28 x 28 images) or `files` (your own arrays, docs/own_files.md)"));
  keys.push_back(number(p + ".scale", 1.0, "multiplies the toy distributions' coordinates", kPositive));
  keys.push_back(list(p + ".classes", ValueType::kIntList, {},
                      "`fashion_mnist` (0-9), `files` with labels: the classes drawn (empty: all)", kNonNegative));
  keys.push_back(text(p + ".path", "",
                      "`files`: a .npy file or an HDF5 file of N x d vectors or N x C x H x W images, uint8 (scaled "
                      "to [-1, 1]) or float (as they are)"));
  keys.push_back(text(p + ".dataset", "", "`files`, HDF5: the array's dataset (e.g. `images`, `/train/x`)"));
  keys.push_back(text(p + ".labels", "",
                      "`files`: N integer labels for `classes`: an HDF5 dataset in the same file, or a .npy file"));
  keys.push_back(text(p + ".eval_path", "",
                      "`files`: the held-out split's file (same format, `dataset` and `labels` names); nothing "
                      "trains on it"));
  keys.push_back(text(p + ".eval_labels", "", "`files`: the labels .npy of a .npy `eval_path`"));
  keys.push_back(number(p + ".eval_fraction", 0.0,
                        "`files` without `eval_path`: the share of `path` held out, drawn with `split_seed`",
                        {0.0, 1.0}));
  keys.push_back(integer(p + ".split_seed", 0, "`files`: seed of the `eval_fraction` split", kNonNegative));
  keys.push_back(list(p + ".gmm.weights", ValueType::kFloatList, {},
                      "`gmm`: component weights (normalised; empty: equal)", kNonNegative));
  keys.push_back(array(p + ".gmm.means", "`gmm`: component means, K x d"));
  keys.push_back(array(p + ".gmm.covs", "`gmm`: covariances, K x d x d (empty: gmm.std^2 I)"));
  keys.push_back(number(p + ".gmm.std", 0.5, "`gmm` without covs, `gmm_random`: component std", kPositive));
  keys.push_back(integer(p + ".gmm.dim", 2, "`gmm_random`: dimension", kAtLeastOne));
  keys.push_back(integer(p + ".gmm.components", 8, "`gmm_random`: number of components", kAtLeastOne));
  keys.push_back(number(p + ".gmm.spread", 4.0, "`gmm_random`: means ~ N(0, spread^2 I / d)", kPositive));
  keys.push_back(integer(p + ".gmm.layout_seed", 0, "`gmm_random`: seed of the means' layout", kNonNegative));
}

}  // namespace

void add_data_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  add_distribution(keys, "source", "8gaussians");
  add_distribution(keys, "target", "moons");
  keys.push_back(integer("target.n_train", 256, "size of the finite fine-tuning sample set", kAtLeastOne));
  keys.push_back(integer("target.n_eval", 2000, "held-out target samples for evaluation", {2.0, kInf}));
}

}  // namespace gftlab
