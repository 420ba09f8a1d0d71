#include "method/config_keys.h"

#include "core/schema_builders.h"
#include "method/method_names.h"
#include "schedule/config_keys.h"

namespace gftlab {

void add_method_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(choice("method.name", "standard", method_names(),
                        "fine-tuning method (docs/method.md: Gradual Fine-Tuning, Baselines)"));
  add_schedule_keys(keys);
  keys.push_back(choice("method.loss_scale", "sum", {"sum", "mean"},
                        "`gft*`: keep the (1 + beta) factor of the regression loss (sum) or drop it (mean)"));
  keys.push_back(choice("method.time_weight", "uniform", time_weight_names(),
                        "`gft*`: time weight w(t) of the loss: 1, t or 1 - t"));
  keys.push_back(number("method.alpha", 1e-3, "`l2sp`: weight of ||theta - theta_pre||^2", kNonNegative));
  keys.push_back(choice("method.reward", "log_ratio_exact", {"log_ratio_exact", "log_ratio_classifier"},
                        "`adjoint_*`: the reward r(x); `log_ratio_exact` = log q(x) - log p_source(x) for "
                        "analytic Gaussian-mixture source and target; `log_ratio_classifier` = the logit of a "
                        "classifier of target training samples against pretrained-model samples"));
  keys.push_back(
      integer("method.classifier.width", 128, "`log_ratio_classifier`: hidden width of the MLP", kAtLeastOne));
  keys.push_back(
      integer("method.classifier.steps", 2000, "`log_ratio_classifier`: Adam steps (batch 256)", kAtLeastOne));
  keys.push_back(integer("method.classifier.samples", 2000,
                         "`log_ratio_classifier`: samples per class: the first "
                         "of the target training set, and as many pretrained-model samples (drawn in batches)",
                         {10.0, kInf}));
  keys.push_back(number("method.classifier.lr", 1e-3, "`log_ratio_classifier`: learning rate", kPositive));
  keys.push_back(number("method.reward_scale", 1.0,
                        "`adjoint_*`: lambda, the reward's weight against the "
                        "regulariser; `adjoint_matching` samples p_pre exp(lambda r)",
                        kPositive));
  keys.push_back(
      integer("method.adjoint.steps", 100, "`adjoint_*`: Euler(-Maruyama) steps per trajectory", kAtLeastOne));
  keys.push_back(integer("method.adjoint.time_samples", 10,
                         "`adjoint_*`: times per trajectory in the loss (0: all trained times)", kNonNegative));
  keys.push_back(number("method.adjoint.t0", 0.01,
                        "`adjoint_matching`: first time of the trajectory grid "
                        "(the memoryless noise schedule is singular at 0)",
                        {0.0, 0.5, true}));
  keys.push_back(number("method.adjoint.truncate", 1.0,
                        "`adjoint_deterministic`: the adjoint is integrated, and "
                        "the control trained, on the final fraction [1 - truncate, 1] of the trajectory only",
                        {0.0, 1.0, true}));
  keys.push_back(choice("method.adjoint.regulariser", "kl", {"kl", "l2"},
                        "`adjoint_deterministic`: running cost w(t)/2 (v - v_pre)^2 with w = 2t/(1-t), the KL "
                        "between the memoryless SDEs (`kl`), or w = 1 (`l2`)"));
}

}  // namespace gftlab
