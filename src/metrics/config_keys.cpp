#include "metrics/config_keys.h"

#include "core/schema_builders.h"
#include "metrics/metric_groups.h"
#include "metrics/metric_names.h"
#include "sampler/config_keys.h"

namespace gftlab {

void add_eval_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(integer("eval.every", 500, "evaluate every this many fine-tuning steps (0: end only)", kNonNegative));
  keys.push_back(integer("eval.dense_every", 0,
                         "also evaluate stability.quality_metric alone every this many "
                         "steps up to eval.dense_until (/quality/*: where the speed measure finds its crossing; "
                         "0: off)",
                         kNonNegative));
  keys.push_back(integer("eval.dense_until", 0, "the last step of the dense quality evaluations", kNonNegative));
  keys.push_back(integer("eval.n_samples", 1000, "generated samples per evaluation (<= target.n_eval)", {2.0, kInf}));
  add_sampler_keys(keys);
  keys.push_back(string_list("eval.metrics", {"all"}, metric_group_names(), "metric groups to compute"));
  auto groups = metric_group_names();
  groups.erase(groups.begin());  // not "all"
  keys.push_back(string_list("eval.final_only", {}, groups,
                             "metric groups computed only at the final evaluation (written under /final only)"));
  keys.push_back(list("eval.euler_steps", ValueType::kIntList, {1, 2, 4, 8, 16, 32, 100},
                      "`euler_ladder`: W2 after this many Euler steps", kAtLeastOne));
  keys.push_back(integer("eval.grid_samples", 16,
                         "image targets: generated images kept at every evaluation "
                         "(the first of the fixed noise; /eval/samples)",
                         kNonNegative));
  keys.push_back(integer("eval.path_steps", 100, "`path`: Euler steps of the path metrics", kAtLeastOne));
  keys.push_back(integer("eval.sliced_projections", 256, "`sliced_w2`: random directions", kAtLeastOne));
  keys.push_back(list("eval.mmd_bandwidths", ValueType::kFloatList, {0.1, 0.2, 0.5, 1.0, 2.0, 5.0},
                      "`mmd`: RBF kernel bandwidths (summed)", kPositive));
  keys.push_back(integer("eval.probe_samples", 1000,
                         "held-out samples (at most target.n_eval) of the probe "
                         "loss /eval/probe_fm_loss, the same (x0, x1, t) triples for every arm",
                         kAtLeastOne));
  keys.push_back(integer("eval.nll_samples", 500, "`nll`: held-out samples whose NLL is computed", kAtLeastOne));
  keys.push_back(integer("eval.nll_steps", 50, "`nll`: RK4 steps of the reverse ODE", kAtLeastOne));
  keys.push_back(integer("eval.nll_exact_max_dim", 16, "`nll`: exact divergence up to this dimension, Hutchinson above",
                         kAtLeastOne));
  keys.push_back(choice("eval.vendi_kernel", "cosine", {"cosine", "rbf"},
                        "`diversity`: Vendi kernel: cosine (as on features; at most d in d dimensions) or RBF"));
  keys.push_back(number("eval.vendi_bandwidth", -1.0,
                        "`diversity`: RBF bandwidth (-1: median pairwise distance of the held-out samples)",
                        {-1.0, kInf}));
  keys.push_back(integer("eval.velocity_error_samples", 4096, "`velocity_error`: Monte-Carlo points", kAtLeastOne));
}

void add_stability_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(
      integer("stability.window", 50, "trailing window (steps) of the loss variance and spikes", {2.0, kInf}));
  keys.push_back(
      integer("stability.eval_window", 5, "trailing window (evaluations) of the quality variance", {2.0, kInf}));
  keys.push_back(choice("stability.quality_metric", "w2", quality_metric_names(),
                        "the evaluated metric whose stability is measured (its group must be evaluated)"));
  keys.push_back(number("stability.spike_mads", 5.0,
                        "a gradient norm above median + this many MADs of the "
                        "preceding stability.window steps starts an excursion",
                        kPositive));
  keys.push_back(integer("stability.spike_settle", 10,
                         "an excursion is a spike when the median of this many steps "
                         "after it is back near the level before it (a level shift is not)",
                         kAtLeastOne));
  keys.push_back(number("stability.spike_settle_mads", 2.0,
                        "how near (in MADs of the preceding window) that median "
                        "must be",
                        kPositive));
  keys.push_back(integer("stability.probe_every", 10,
                         "record the raw model's velocity on fixed probe inputs every "
                         "this many fine-tuning steps after warm-up (/stability/probe_*; the oscillation measure of "
                         "docs/reports.md); 0: off",
                         kNonNegative));
  keys.push_back(integer("stability.probe_points", 32,
                         "probe inputs (x_t, t): the first of the probe set "
                         "(eval.probe_samples), the same for every arm",
                         kAtLeastOne));
  keys.push_back(integer("stability.probe_coords", 16,
                         "outputs of more dimensions are recorded as this many fixed "
                         "random projections per probe input",
                         kAtLeastOne));
}

}  // namespace gftlab
