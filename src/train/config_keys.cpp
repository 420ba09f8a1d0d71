#include "train/config_keys.h"

#include "core/schema_builders.h"
#include "model/config_keys.h"
#include "train/lr_schedule.h"

namespace gftlab {
namespace {

void add_optimisation(std::vector<KeySpec>& keys, const std::string& p, int64_t steps, double lr) {
  using namespace schema;
  keys.push_back(integer(p + ".steps", steps, "optimisation steps", kNonNegative));
  keys.push_back(integer(p + ".batch_size", 256, "minibatch size", kAtLeastOne));
  keys.push_back(number(p + ".lr", lr, "Adam learning rate", kPositive));
  keys.push_back(choice(p + ".lr_schedule", "constant", lr_schedule_names(),
                        "learning-rate schedule: constant, or linear warm-up then cosine decay"));
  keys.push_back(integer(p + ".warmup_steps", 0, "`warmup_cosine`: linear warm-up steps", kNonNegative));
  keys.push_back(number(p + ".min_lr_ratio", 0.1, "`warmup_cosine`: final lr / lr", {0.0, 1.0}));
  keys.push_back(number(p + ".grad_clip", 1.0, "clip the global gradient norm to this (0: off)", kNonNegative));
  keys.push_back(number(
      p + ".ema_decay", 0.999,
      "EMA decay of the evaluation weights, warmed up as min(decay, (1 + n) / (10 + n)) after n updates (0: no EMA)",
      {0.0, 1.0}));
}

}  // namespace

void add_training_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  add_optimisation(keys, "pretrain", 5000, 1e-3);
  keys.push_back(integer("pretrain.seed", -1, "seed of pretraining (-1: the run's seed)", {-1.0, kInf}));
  add_import_key(keys);
  add_optimisation(keys, "finetune", 2000, 5e-4);
  add_trainable_key(keys);
}

}  // namespace gftlab
