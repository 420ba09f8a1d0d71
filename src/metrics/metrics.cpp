// The metric groups of docs/method.md, "Measurements" for low-dimensional data.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/config.h"
#include "core/rng.h"
#include "data/gaussian_mixture.h"
#include "features/feature_space.h"
#include "metrics/diversity.h"
#include "features/frechet.h"
#include "metrics/likelihood.h"
#include "metrics/metric.h"
#include "core/names.h"
#include "metrics/metric_groups.h"
#include "metrics/metric_names.h"
#include "metrics/path_metrics.h"
#include "metrics/sample_distances.h"
#include "model/velocity_field.h"
#include "path/path.h"
#include "sampler/sampler.h"

namespace gftlab {

namespace {

class W2 : public Metric {
 public:
  MetricValues compute(EvalContext& ctx) override {
    return {{"w2", ctx.w2_to_reference(ctx.generated())}, {"sampler_nfe", double(ctx.generated_nfe())}};
  }
};

class SlicedW2 : public Metric {
 public:
  SlicedW2(int64_t projections, uint64_t seed) : projections_(projections), seed_(seed) {}
  MetricValues compute(EvalContext& ctx) override {
    auto gen = make_generator(seed_, "sliced-directions");  // same directions at every evaluation
    return {{"sliced_w2", sliced_w2(ctx.generated(), ctx.reference(), projections_, gen)}};
  }

 private:
  int64_t projections_;
  uint64_t seed_;
};

// The held-out side of MMD^2 and of the energy distance is the same at every evaluation: computed once.
class Mmd : public Metric {
 public:
  explicit Mmd(std::vector<double> bandwidths) : bandwidths_(std::move(bandwidths)) {}
  MetricValues compute(EvalContext& ctx) override {
    if (reference_within_.empty()) reference_within_ = rbf_within_means(ctx.reference(), bandwidths_);
    return {{"mmd2", mmd2_rbf(ctx.generated(), ctx.reference(), bandwidths_, reference_within_)}};
  }

 private:
  std::vector<double> bandwidths_;
  std::vector<double> reference_within_;
};

class Energy : public Metric {
 public:
  MetricValues compute(EvalContext& ctx) override {
    if (!reference_within_) reference_within_ = within_mean_distance(ctx.reference());
    return {{"energy", energy_distance(ctx.generated(), ctx.reference(), *reference_within_)}};
  }

 private:
  std::optional<double> reference_within_;
};

class Nll : public Metric {
 public:
  Nll(int64_t n, int64_t steps, int64_t exact_max_dim, uint64_t seed)
      : n_(n), solver_(FixedMethod::kRk4, steps), exact_max_dim_(exact_max_dim), seed_(seed) {}
  MetricValues compute(EvalContext& ctx) override {
    auto gen = make_generator(seed_, "hutchinson-probes");
    const auto x = ctx.reference().narrow(0, 0, std::min(n_, ctx.reference().size(0)));
    return {{"nll", model_nll(ctx.model(), x, solver_, exact_max_dim_, gen).mean().item<double>()}};
  }

 private:
  int64_t n_;
  FixedStepSampler solver_;
  int64_t exact_max_dim_;
  uint64_t seed_;
};

// E_{t, x ~ p_t} |v(t, x) - u_t(x)|^2 on fixed Monte-Carlo points of the true target path.
class VelocityError : public Metric {
 public:
  VelocityError(const GaussianMixture& target, int64_t n, double sigma, uint64_t seed) {
    auto gen = make_generator(seed, "velocity-error-points");
    const auto x1 = target.sample(n, gen);
    const auto x0 = at::randn(x1.sizes(), gen, at::kFloat);
    t_ = at::rand({n}, gen, at::kFloat);
    const auto tb = t_.unsqueeze(1);
    xt_ = tb * x1 + (1 - tb) * x0 + sigma * at::randn(x1.sizes(), gen, at::kFloat);
    u_ = target.velocity(t_, xt_, sigma);
  }
  MetricValues compute(EvalContext& ctx) override {
    at::NoGradGuard no_grad;
    const auto v = ctx.model().forward(t_, xt_).to(at::kDouble);
    return {{"velocity_error", (v - u_).pow(2).sum(1).mean().item<double>()}};
  }

 private:
  at::Tensor t_, xt_, u_;
};

class TargetNll : public Metric {
 public:
  explicit TargetNll(const GaussianMixture& target) : target_(target) {}
  MetricValues compute(EvalContext& ctx) override {
    return {{"target_nll", -target_.log_prob(ctx.generated()).mean().item<double>()}};
  }

 private:
  const GaussianMixture& target_;
};

// The held-out samples' own Vendi score and mean pairwise distance are written beside the model's
// (reference_*): neither has a better direction, only the data's value to match.
class Diversity : public Metric {
 public:
  Diversity(VendiKernel kernel, double bandwidth) : kernel_(kernel), bandwidth_(bandwidth) {}
  MetricValues compute(EvalContext& ctx) override {
    // Images (and, with a supplied extractor, vectors) are compared in the feature space, vectors as they are.
    const at::Tensor real = ctx.has_features() ? ctx.reference_features() : ctx.reference();
    if (reference_.empty()) {
      if (kernel_ == VendiKernel::kRbf && bandwidth_ < 0) bandwidth_ = median_pairwise_distance(real);
      reference_ = {{"reference_vendi", vendi_score(real, kernel_, bandwidth_)},
                    {"reference_mean_pairwise_distance", mean_pairwise_distance(real)}};
      manifold_ = manifold_reference(real);
    }
    MetricValues out;
    if (!at::isfinite(ctx.generated()).all().item<bool>()) {
      for (const char* name : {"precision", "recall", "density", "coverage", "vendi", "mean_pairwise_distance"})
        out.emplace_back(name, std::nan(""));
    } else {
      const at::Tensor x = ctx.has_features() ? ctx.generated_features() : ctx.generated();
      const auto s = manifold_scores(manifold_, x);
      out = {{"precision", s.precision},
             {"recall", s.recall},
             {"density", s.density},
             {"coverage", s.coverage},
             {"vendi", vendi_score(x, kernel_, bandwidth_)},
             {"mean_pairwise_distance", mean_pairwise_distance(x)}};
    }
    out.insert(out.end(), reference_.begin(), reference_.end());
    return out;
  }

 private:
  VendiKernel kernel_;
  double bandwidth_;  // fixed per run: from the held-out samples, never from the model's
  MetricValues reference_;
  ManifoldReference manifold_;
};

// Fréchet distance in the feature space ("FD-<net>-<N>"): image targets, or any with eval.features.torchscript.
class Fd : public Metric {
 public:
  MetricValues compute(EvalContext& ctx) override { return {{"fd", ctx.frechet_to_reference(ctx.generated())}}; }
};

// FID and KID in the features of the supplied Inception network (eval.fid.inception): image targets only.
// KID's subsets are drawn from the run's seed alone, the same at every evaluation.
class Fid : public Metric {
 public:
  Fid(int64_t subsets, int64_t max_subset, uint64_t seed) : subsets_(subsets), max_subset_(max_subset), seed_(seed) {}
  MetricValues compute(EvalContext& ctx) override {
    if (!at::isfinite(ctx.generated()).all().item<bool>()) return {{"fid", std::nan("")}, {"kid", std::nan("")}};
    auto& space = *ctx.inception();
    const auto& x = ctx.generated_inception_features();
    auto gen = make_generator(seed_, "kid-subsets");
    return {
        {"fid", frechet_distance(gaussian_stats(x), space.reference_stats(ctx.reference()))},
        {"kid", kernel_inception_distance(x, space.reference_features(ctx.reference()), subsets_, max_subset_, gen)}};
  }

 private:
  int64_t subsets_, max_subset_;
  uint64_t seed_;
};

class PathMetrics : public Metric {
 public:
  explicit PathMetrics(int64_t steps) : steps_(steps) {}
  MetricValues compute(EvalContext& ctx) override {
    const auto& run = ctx.euler(steps_);
    const auto summary = run.path.summary(ctx.noise(), run.solution.x);
    return {summary.begin(), summary.end()};
  }

 private:
  int64_t steps_;
};

class AdaptiveNfe : public Metric {
 public:
  explicit AdaptiveNfe(Dopri5Sampler solver) : solver_(std::move(solver)) {}
  MetricValues compute(EvalContext& ctx) override {
    return {{"adaptive_nfe", double(solver_.solve(field_of(ctx.model()), ctx.noise(), 0.0, 1.0).nfe)}};
  }

 private:
  Dopri5Sampler solver_;
};

class EulerLadder : public Metric {
 public:
  explicit EulerLadder(std::vector<int64_t> steps) : steps_(std::move(steps)) {}
  MetricValues compute(EvalContext& ctx) override {
    MetricValues out;
    for (int64_t k : steps_) {
      const auto& x = ctx.euler(k).solution.x;
      out.emplace_back(fmt::format("w2_euler_{}", k), ctx.w2_to_reference(x));
      if (ctx.has_features()) out.emplace_back(fmt::format("fd_euler_{}", k), ctx.frechet_to_reference(x));
    }
    return out;
  }

 private:
  std::vector<int64_t> steps_;
};

// Why a group cannot be computed for this run ("" when it can).
std::string unmet(MetricNeeds needs, const Config& cfg, const Distribution& target) {
  const bool images = target.sample_shape().size() == 3;
  const auto features = FeatureSettings::from_config(cfg);
  const bool feature_space = features.torchscript || own_feature_net_takes(target.sample_shape());
  const std::string no_features =
      "needs a feature extractor (eval.features.torchscript) for these samples: "
      "gftlab's own network takes 1 x 28 x 28 images";
  switch (needs) {
    case MetricNeeds::kNothing: return "";
    case MetricNeeds::kMixture: return target.mixture() ? "" : "needs an analytic Gaussian-mixture target";
    case MetricNeeds::kFeatureSpace: return feature_space ? "" : no_features;
    case MetricNeeds::kFeatureSpaceForImages: return !images || feature_space ? "" : no_features;
    case MetricNeeds::kInception:
      if (!images) return "needs an image target";
      return features.inception ? "" : "needs the Inception network: eval.fid.inception";
  }
  return "";
}

template <class M>
std::unique_ptr<Metric> plain(const Config&, const Distribution&, uint64_t) {
  return std::make_unique<M>();
}

std::unique_ptr<Metric> make_diversity(const Config& cfg, const Distribution&, uint64_t) {
  const bool rbf = cfg.get_string("eval.vendi_kernel") == "rbf";
  const double bandwidth = cfg.get_float("eval.vendi_bandwidth");
  if (rbf && bandwidth != -1.0 && bandwidth <= 0)
    throw cfg.error("eval.vendi_bandwidth", "must be positive, or -1 for the median pairwise distance");
  return std::make_unique<Diversity>(rbf ? VendiKernel::kRbf : VendiKernel::kCosine, bandwidth);
}

}  // namespace

const std::vector<MetricGroup>& metric_groups() {
  using N = MetricNeeds;
  using Made = std::unique_ptr<Metric>;
  static const std::vector<MetricGroup> groups = {
      {"w2", N::kNothing, {"w2"}, plain<W2>},
      {"sliced_w2",
       N::kNothing,
       {"sliced_w2"},
       [](const Config& cfg, const Distribution&, uint64_t seed) -> Made {
         return std::make_unique<SlicedW2>(cfg.get_int("eval.sliced_projections"), seed);
       }},
      {"mmd",
       N::kNothing,
       {"mmd2"},
       [](const Config& cfg, const Distribution&, uint64_t) -> Made {
         return std::make_unique<Mmd>(cfg.get_float_list("eval.mmd_bandwidths"));
       }},
      {"energy", N::kNothing, {"energy"}, plain<Energy>},
      {"nll",
       N::kNothing,
       {"nll"},
       [](const Config& cfg, const Distribution&, uint64_t seed) -> Made {
         return std::make_unique<Nll>(cfg.get_int("eval.nll_samples"), cfg.get_int("eval.nll_steps"),
                                      cfg.get_int("eval.nll_exact_max_dim"), seed);
       }},
      {"velocity_error",
       N::kMixture,
       {"velocity_error"},
       [](const Config& cfg, const Distribution& target, uint64_t seed) -> Made {
         return std::make_unique<VelocityError>(*target.mixture(), cfg.get_int("eval.velocity_error_samples"),
                                                make_path(cfg).sigma(), seed);
       }},
      {"target_nll",
       N::kMixture,
       {"target_nll"},
       [](const Config&, const Distribution& target, uint64_t) -> Made {
         return std::make_unique<TargetNll>(*target.mixture());
       }},
      {"diversity", N::kFeatureSpaceForImages, {}, make_diversity},
      {"fd", N::kFeatureSpace, {"fd"}, plain<Fd>},
      {"fid",
       N::kInception,
       {"fid", "kid"},
       [](const Config& cfg, const Distribution&, uint64_t seed) -> Made {
         const auto features = FeatureSettings::from_config(cfg);
         return std::make_unique<Fid>(features.kid_subsets, features.kid_subset_size, seed);
       }},
      {"path",
       N::kNothing,
       {},
       [](const Config& cfg, const Distribution&, uint64_t) -> Made {
         return std::make_unique<PathMetrics>(cfg.get_int("eval.path_steps"));
       }},
      {"adaptive_nfe",
       N::kNothing,
       {},
       [](const Config& cfg, const Distribution&, uint64_t) -> Made {
         return std::make_unique<AdaptiveNfe>(make_dopri5(cfg, "eval.sampler"));
       }},
      {"euler_ladder",
       N::kNothing,
       {},
       [](const Config& cfg, const Distribution&, uint64_t) -> Made {
         return std::make_unique<EulerLadder>(cfg.get_int_list("eval.euler_steps"));
       }},
  };
  return groups;
}

std::vector<std::string> metric_group_names() {
  auto names = kind_names(metric_groups());
  names.insert(names.begin(), "all");  // every group that applies to the target
  return names;
}

const MetricGroup& group_of_quality(const std::string& metric) {
  for (const auto& group : metric_groups())
    if (std::find(group.quality.begin(), group.quality.end(), metric) != group.quality.end()) return group;
  throw std::invalid_argument("no metric group writes '" + metric + "'");  // the schema allows only these names
}

std::vector<std::unique_ptr<Metric>> make_metrics(const Config& cfg, const Distribution& target, uint64_t seed) {
  const auto& chosen = cfg.get_string_list("eval.metrics");
  const bool all = std::find(chosen.begin(), chosen.end(), "all") != chosen.end();
  std::vector<std::unique_ptr<Metric>> out;
  for (const auto& group : metric_groups()) {
    const bool named = std::find(chosen.begin(), chosen.end(), group.name) != chosen.end();
    if (!all && !named) continue;
    if (const auto reason = unmet(group.needs, cfg, target); !reason.empty()) {
      if (named) throw cfg.error("eval.metrics", fmt::format("'{}' {}", group.name, reason));
      continue;
    }
    out.push_back(group.make(cfg, target, seed));
    out.back()->group_ = group.name;
  }
  return out;
}

}  // namespace gftlab
