// Every configuration key: type, default, allowed values and documentation.
// The README's configuration reference is printed from this table (`gftlab config --reference`).
#include <limits>

#include "core/config.h"
#include "data/distribution_names.h"
#include "metrics/metric_names.h"

namespace gftlab {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Range {
  double min = -kInf;
  double max = kInf;
  bool min_exclusive = false;
};
constexpr Range kPositive{0.0, kInf, true};
constexpr Range kNonNegative{0.0, kInf, false};
constexpr Range kAtLeastOne{1.0, kInf, false};

KeySpec make(std::string path, ValueType type, Value value, std::string doc, Range range = {}) {
  KeySpec spec;
  spec.path = std::move(path);
  spec.type = type;
  value.type = type;
  spec.default_value = std::move(value);
  spec.doc = std::move(doc);
  spec.min = range.min;
  spec.max = range.max;
  spec.min_exclusive = range.min_exclusive;
  return spec;
}

KeySpec integer(std::string path, int64_t def, std::string doc, Range range = {}) {
  Value v;
  v.i = def;
  return make(std::move(path), ValueType::kInt, v, std::move(doc), range);
}

KeySpec number(std::string path, double def, std::string doc, Range range = {}) {
  Value v;
  v.f = def;
  return make(std::move(path), ValueType::kFloat, v, std::move(doc), range);
}

KeySpec choice(std::string path, std::string def, std::vector<std::string> choices, std::string doc) {
  Value v;
  v.s = std::move(def);
  KeySpec spec = make(std::move(path), ValueType::kString, v, std::move(doc));
  spec.choices = std::move(choices);
  return spec;
}

KeySpec text(std::string path, std::string def, std::string doc) { return choice(path, def, {}, doc); }

KeySpec list(std::string path, ValueType type, std::vector<double> def, std::string doc, Range range = {}) {
  Value v;
  v.numbers = std::move(def);
  v.shape = {static_cast<int64_t>(v.numbers.size())};
  return make(std::move(path), type, v, std::move(doc), range);
}

KeySpec array(std::string path, std::string doc) {
  Value v;
  v.shape = {0};
  return make(std::move(path), ValueType::kArray, v, std::move(doc));
}

KeySpec execution(KeySpec spec) {
  spec.affects_results = false;
  return spec;
}

void add_distribution(std::vector<KeySpec>& keys, const std::string& p, const std::string& def_kind) {
  keys.push_back(choice(p + ".kind", def_kind, distribution_kinds(),
                        "distribution: a 2-D toy, `gmm` (explicit mixture), `gmm_random` (random layout) or "
                        "`fashion_mnist` (1 x 28 x 28 images)"));
  keys.push_back(number(p + ".scale", 1.0, "multiplies the toy distributions' coordinates", kPositive));
  keys.push_back(list(p + ".classes", ValueType::kIntList, {},
                      "`fashion_mnist`: the classes drawn (empty: all ten)", {0.0, 9.0}));
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

void add_optimisation(std::vector<KeySpec>& keys, const std::string& p, int64_t steps, double lr) {
  keys.push_back(integer(p + ".steps", steps, "optimisation steps", kNonNegative));
  keys.push_back(integer(p + ".batch_size", 256, "minibatch size", kAtLeastOne));
  keys.push_back(number(p + ".lr", lr, "Adam learning rate", kPositive));
  keys.push_back(choice(p + ".lr_schedule", "constant", {"constant", "warmup_cosine"},
                        "learning-rate schedule: constant, or linear warm-up then cosine decay"));
  keys.push_back(integer(p + ".warmup_steps", 0, "`warmup_cosine`: linear warm-up steps", kNonNegative));
  keys.push_back(number(p + ".min_lr_ratio", 0.1, "`warmup_cosine`: final lr / lr", {0.0, 1.0}));
  keys.push_back(number(p + ".grad_clip", 1.0, "clip the global gradient norm to this (0: off)", kNonNegative));
  keys.push_back(number(p + ".ema_decay", 0.999, "EMA decay of the evaluation weights, warmed up as min(decay, (1 + n) / (10 + n)) after n updates (0: no EMA)", {0.0, 1.0}));
}

void add_method(std::vector<KeySpec>& keys) {
  keys.push_back(choice("method.name", "standard", {"standard", "scratch", "gft", "gft_marginal", "l2sp", "adjoint_matching",
                                              "adjoint_deterministic"},
                        "fine-tuning method (method.md sections 2 and 4)"));
  keys.push_back(choice("method.schedule.kind", "cosine", {"constant", "linear", "cosine", "exponential", "step"},
                        "`gft*`: cooling schedule of beta"));
  keys.push_back(number("method.schedule.beta0", 1.0, "`gft*`: initial temperature beta", kNonNegative));
  keys.push_back(number("method.schedule.beta_end", -1.0,
                        "`gft*`: beta reached at anneal_steps (-1: 0, or beta0/1000 for `exponential`)",
                        {-1.0, kInf}));
  keys.push_back(integer("method.schedule.anneal_steps", -1,
                         "`gft*`: beta = 0 from this step on (-1: 70% of finetune.steps; never for `constant`)",
                         {-1.0, kInf}));
  keys.push_back(array("method.schedule.stages",
                       "`step`: [[beta, fraction], ...], fractions of anneal_steps summing to 1 (beta0 unused)"));
  keys.push_back(choice("method.loss_scale", "sum", {"sum", "mean"},
                        "`gft*`: keep the (1 + beta) factor of the regression loss (sum) or drop it (mean)"));
  keys.push_back(choice("method.time_weight", "uniform", {"uniform", "t", "one_minus_t"},
                        "`gft*`: time weight w(t) of the loss: 1, t or 1 - t"));
  keys.push_back(number("method.alpha", 1e-3, "`l2sp`: weight of ||theta - theta_pre||^2", kNonNegative));
  keys.push_back(choice("method.reward", "log_ratio_exact", {"log_ratio_exact", "log_ratio_classifier"},
                        "`adjoint_*`: the reward r(x); `log_ratio_exact` = log q(x) - log p_source(x) for "
                        "analytic Gaussian-mixture source and target; `log_ratio_classifier` = the logit of a "
                        "classifier of target training samples against pretrained-model samples"));
  keys.push_back(integer("method.classifier.width", 128, "`log_ratio_classifier`: hidden width of the MLP",
                         kAtLeastOne));
  keys.push_back(integer("method.classifier.steps", 2000, "`log_ratio_classifier`: Adam steps (batch 256)",
                         kAtLeastOne));
  keys.push_back(number("method.classifier.lr", 1e-3, "`log_ratio_classifier`: learning rate", kPositive));
  keys.push_back(number("method.reward_scale", 1.0, "`adjoint_*`: lambda, the reward's weight against the "
                        "regulariser; `adjoint_matching` samples p_pre exp(lambda r)", kPositive));
  keys.push_back(integer("method.adjoint.steps", 100, "`adjoint_*`: Euler(-Maruyama) steps per trajectory",
                         kAtLeastOne));
  keys.push_back(integer("method.adjoint.time_samples", 10,
                         "`adjoint_*`: times per trajectory in the loss (0: all trained times)", kNonNegative));
  keys.push_back(number("method.adjoint.t0", 0.01, "`adjoint_matching`: first time of the trajectory grid "
                        "(the memoryless noise schedule is singular at 0)", {0.0, 0.5, true}));
  keys.push_back(number("method.adjoint.truncate", 1.0, "`adjoint_deterministic`: the adjoint is integrated, and "
                        "the control trained, on the final fraction [1 - truncate, 1] of the trajectory only",
                        {0.0, 1.0, true}));
  keys.push_back(choice("method.adjoint.regulariser", "kl", {"kl", "l2"},
                        "`adjoint_deterministic`: running cost w(t)/2 (v - v_pre)^2 with w = 2t/(1-t), the KL "
                        "between the memoryless SDEs (`kl`), or w = 1 (`l2`)"));
}

void add_coupling(std::vector<KeySpec>& keys) {
  keys.push_back(choice("coupling.kind", "independent", {"independent", "ot", "ot_sampled", "sinkhorn"},
                        "pairing of x0 and x1 in a batch (method.md section 3)"));
  keys.push_back(number("coupling.eps", 0.05,
                        "`sinkhorn`: entropic regularisation, as a fraction of the batch's mean cost", kPositive));
  keys.push_back(integer("coupling.max_iters", 2000, "`sinkhorn`: iteration limit", kAtLeastOne));
  keys.push_back(number("coupling.tol", 1e-6, "`sinkhorn`: stop when the L1 marginal error is below this",
                        kPositive));
}

std::vector<KeySpec> build_schema() {
  std::vector<KeySpec> keys;
  keys.push_back(integer("seed", 0, "seed of everything random in the run", kNonNegative));
  keys.push_back(execution(integer("threads", 0, "intra-op threads (0: all cores; --threads overrides)",
                                   kNonNegative)));
  keys.push_back(execution(choice("progress", "auto", {"auto", "bar", "lines", "none"},
                                  "progress display: a bar on a terminal, periodic lines otherwise")));
  keys.push_back(execution(text("output.dir", "results/runs", "run files go to <dir>/<run_id>.h5")));
  keys.push_back(execution(text("output.file", "", "explicit run-file path (overrides output.dir)")));
  keys.push_back(execution(text("output.pretrained_dir", "results/pretrained",
                                "content-addressed store of pretrained models")));
  keys.push_back(execution(text("output.features_dir", "results/features",
                                "content-addressed store of the image feature networks")));
  keys.push_back(execution(number("checkpoint.every_seconds", 300,
                                  "write the run's checkpoint (<run file stem>.ckpt) this often, and always on "
                                  "SIGUSR1/SIGTERM/SIGINT; 0: only on those signals", kNonNegative)));

  add_distribution(keys, "source", "8gaussians");
  add_distribution(keys, "target", "moons");
  keys.push_back(integer("target.n_train", 256, "size of the finite fine-tuning sample set", kAtLeastOne));
  keys.push_back(integer("target.n_eval", 2000, "held-out target samples for evaluation", {2.0, kInf}));

  keys.push_back(number("path.sigma", 0.0, "std of the noise added to the interpolant x_t", kNonNegative));

  keys.push_back(choice("model.kind", "mlp", {"mlp", "unet"},
                        "velocity network: an MLP for vectors, a U-Net for images"));
  keys.push_back(integer("model.width", 256, "`mlp`: hidden width", kAtLeastOne));
  keys.push_back(integer("model.depth", 3, "`mlp`: number of hidden layers", kAtLeastOne));
  keys.push_back(choice("model.activation", "silu", {"silu", "relu", "gelu", "tanh", "softplus"},
                        "`mlp`: hidden activation"));
  keys.push_back(integer("model.unet.channels", 32, "`unet`: channels of the first level", kAtLeastOne));
  keys.push_back(list("model.unet.mults", ValueType::kIntList, {1, 2, 2},
                      "`unet`: channel multiplier per level (a 2x downsampling between levels)", kAtLeastOne));
  keys.push_back(integer("model.unet.blocks", 2, "`unet`: residual blocks per level", kAtLeastOne));
  keys.push_back(integer("model.unet.groups", 8, "`unet`: group-norm groups (divides every level's channels)",
                         kAtLeastOne));
  keys.push_back(integer("model.time_embed_dim", 64, "sinusoidal time-embedding size (even)", {2.0, kInf}));

  add_optimisation(keys, "pretrain", 5000, 1e-3);
  keys.push_back(integer("pretrain.seed", -1, "seed of pretraining (-1: the run's seed)", {-1.0, kInf}));
  add_optimisation(keys, "finetune", 2000, 5e-4);

  add_method(keys);
  add_coupling(keys);

  keys.push_back(integer("eval.every", 500, "evaluate every this many fine-tuning steps (0: end only)",
                         kNonNegative));
  keys.push_back(integer("eval.n_samples", 1000, "generated samples per evaluation (<= target.n_eval)",
                         {2.0, kInf}));
  keys.push_back(choice("eval.sampler.kind", "euler", {"euler", "heun", "rk4", "dopri5", "euler_maruyama"},
                        "sampler for the quality metrics: an ODE solver, or the SDE of method.md section 5"));
  keys.push_back(integer("eval.sampler.steps", 100, "steps of the fixed-step solvers", kAtLeastOne));
  keys.push_back(number("eval.sampler.g", 1.0, "`euler_maruyama`: diffusion scale g", kNonNegative));
  keys.push_back(choice("eval.sampler.g_shape", "constant", {"constant", "bridge"},
                        "`euler_maruyama`: g(t) = g, or g * 2 sqrt(t (1 - t)) (zero at both ends)"));
  keys.push_back(number("eval.sampler.t_margin", 1e-3, "`euler_maruyama`: integrate to t = 1 - t_margin",
                        {0.0, 0.5}));
  keys.push_back(number("eval.sampler.atol", 1e-5, "dopri5 absolute tolerance (also for adaptive_nfe)",
                        kPositive));
  keys.push_back(number("eval.sampler.rtol", 1e-5, "dopri5 relative tolerance (also for adaptive_nfe)",
                        kPositive));
  KeySpec metrics = make("eval.metrics", ValueType::kStringList, Value{}, "metric groups to compute");
  metrics.default_value.strings = {"all"};
  metrics.choices = metric_group_names();
  keys.push_back(metrics);
  KeySpec final_only = make("eval.final_only", ValueType::kStringList, Value{},
                            "metric groups computed only at the final evaluation (written under /final only)");
  final_only.choices = metric_group_names();
  final_only.choices.erase(final_only.choices.begin());  // not "all"
  keys.push_back(final_only);
  keys.push_back(list("eval.euler_steps", ValueType::kIntList, {1, 2, 4, 8, 16, 32, 100},
                      "`euler_ladder`: W2 after this many Euler steps", kAtLeastOne));
  keys.push_back(integer("eval.grid_samples", 16, "image targets: generated images kept at every evaluation "
                         "(the first of the fixed noise; /eval/samples)", kNonNegative));
  keys.push_back(integer("eval.path_steps", 100, "`path`: Euler steps of the path metrics", kAtLeastOne));
  keys.push_back(integer("eval.sliced_projections", 256, "`sliced_w2`: random directions", kAtLeastOne));
  keys.push_back(list("eval.mmd_bandwidths", ValueType::kFloatList, {0.1, 0.2, 0.5, 1.0, 2.0, 5.0},
                      "`mmd`: RBF kernel bandwidths (summed)", kPositive));
  keys.push_back(integer("eval.probe_samples", 1000, "held-out samples (at most target.n_eval) of the probe "
                         "loss /eval/probe_fm_loss, the same (x0, x1, t) triples for every arm", kAtLeastOne));
  keys.push_back(integer("eval.nll_samples", 500, "`nll`: held-out samples whose NLL is computed",
                         kAtLeastOne));
  keys.push_back(integer("eval.nll_steps", 50, "`nll`: RK4 steps of the reverse ODE", kAtLeastOne));
  keys.push_back(integer("eval.nll_exact_max_dim", 16,
                         "`nll`: exact divergence up to this dimension, Hutchinson above", kAtLeastOne));
  keys.push_back(choice("eval.vendi_kernel", "cosine", {"cosine", "rbf"},
                        "`diversity`: Vendi kernel: cosine (as on features; at most d in d dimensions) or RBF"));
  keys.push_back(number("eval.vendi_bandwidth", -1.0,
                        "`diversity`: RBF bandwidth (-1: median pairwise distance of the held-out samples)",
                        {-1.0, kInf}));
  keys.push_back(integer("eval.velocity_error_samples", 4096, "`velocity_error`: Monte-Carlo points",
                         kAtLeastOne));
  keys.push_back(integer("features.width", 32, "image feature network: channels of its first convolution",
                         kAtLeastOne));
  keys.push_back(integer("features.epochs", 5, "image feature network: training epochs over the 60 000 images",
                         kAtLeastOne));
  keys.push_back(integer("features.batch_size", 128, "image feature network: minibatch size", kAtLeastOne));
  keys.push_back(number("features.lr", 1e-3, "image feature network: Adam learning rate", kPositive));
  keys.push_back(integer("features.seed", 0, "image feature network: seed of its initialisation and batches",
                         kNonNegative));
  keys.push_back(integer("stability.window", 50, "trailing window (steps) of the loss variance and spikes",
                         {2.0, kInf}));
  keys.push_back(integer("stability.eval_window", 5, "trailing window (evaluations) of the quality variance",
                         {2.0, kInf}));
  keys.push_back(choice("stability.quality_metric", "w2",
                        {"w2", "sliced_w2", "mmd2", "energy", "nll", "velocity_error", "target_nll", "fd"},
                        "the evaluated metric whose stability is measured (its group must be evaluated)"));
  keys.push_back(number("stability.spike_mads", 5.0, "a gradient norm above median + this many MADs is a spike",
                        kPositive));
  return keys;
}

}  // namespace

const std::vector<KeySpec>& config_schema() {
  static const std::vector<KeySpec> schema = build_schema();
  return schema;
}

}  // namespace gftlab
