#include <fmt/format.h>
#include <stdexcept>

#include "core/config.h"
#include "core/names.h"
#include "coupling/coupling_kinds.h"
#include "data/distribution.h"
#include "data/gaussian_mixture.h"
#include "method/adjoint_matching.h"
#include "method/method.h"
#include "model/velocity_field.h"
#include "path/path.h"
#include "schedule/schedule.h"

namespace gftlab {
namespace {

Gft::TargetVelocity marginal_velocity(const Config& cfg, const Distribution& target) {
  const GaussianMixture* mixture = target.mixture();
  if (!mixture)
    throw cfg.error("method.name", fmt::format("`gft_marginal` needs the exact marginal velocity of an analytic "
                                               "Gaussian-mixture target (gmm, gmm_random, 8gaussians), not `{}`",
                                               distribution_kind(cfg, "target")));
  if (const auto& coupling = coupling_kind(cfg).name; coupling != "independent")
    throw cfg.error("coupling.kind",
                    fmt::format("`gft_marginal` is defined for the independent coupling only, not `{}`", coupling));
  const double sigma = make_path(cfg).sigma();
  return [mixture, sigma](const StepBatch& b) {
    // The mixture's parameters live on the CPU, whatever device trains.
    return mixture->velocity(b.t.to(at::kCPU, at::kDouble), b.xt.to(at::kCPU, at::kDouble), sigma).to(b.xt.options());
  };
}

void no_check(const Config&, int64_t, const Distribution&, const Distribution*) {}

void check_scratch(const Config& cfg, int64_t, const Distribution&, const Distribution*) {
  if (!imported_field_file(cfg).empty())
    throw cfg.error("pretrain.import",
                    "method.name scratch trains gftlab's own model from a fresh initialisation; "
                    "an imported model is fine-tuned by the other methods");
}

void check_gft(const Config& cfg, int64_t steps, const Distribution&, const Distribution*) {
  make_schedule(cfg, steps);
}

void check_gft_marginal(const Config& cfg, int64_t steps, const Distribution& target, const Distribution*) {
  make_schedule(cfg, steps);
  marginal_velocity(cfg, target);
}

template <AdjointDynamics kDynamics>
void check_adjoint(const Config& cfg, int64_t, const Distribution& target, const Distribution* source) {
  adjoint_settings(cfg, kDynamics);
  const auto& reward = cfg.get_string("method.reward");
  if (reward == "log_ratio_classifier" && target_train_size(cfg) < 10)
    throw cfg.error("target.n_train",
                    "`log_ratio_classifier` holds out a fifth of the target samples to measure "
                    "the classifier: it needs at least 10");
  if (reward == "log_ratio_exact") {
    if (!source) throw std::logic_error("check_method: the exact log ratio needs the source distribution");
    make_reward(cfg, *source, target);
  }
}

template <bool kStandard>
std::unique_ptr<Method> make_flow_matching(MethodInputs) {
  return std::make_unique<FlowMatching>(kStandard);
}

std::unique_ptr<Method> make_l2sp(MethodInputs in) {
  return std::make_unique<L2sp>(*in.pretrained, in.cfg.get_float("method.alpha"));
}

template <bool kMarginal>
std::unique_ptr<Method> make_gft(MethodInputs in) {
  Gft::TargetVelocity velocity = [](const StepBatch& b) { return b.u; };
  if (kMarginal) velocity = marginal_velocity(in.cfg, in.target);
  return std::make_unique<Gft>(
      in.cfg.get_string("method.name"), std::move(in.pretrained), make_schedule(in.cfg, in.finetune_steps),
      in.cfg.get_string("method.loss_scale") == "sum",
      enum_from_name<TimeWeight>(in.cfg.get_string("method.time_weight"), time_weight_names()), std::move(velocity));
}

template <AdjointDynamics kDynamics>
std::unique_ptr<Method> make_adjoint(MethodInputs in) {
  Reward reward = in.reward;
  if (!reward && in.cfg.get_string("method.reward") != "log_ratio_exact")
    throw std::logic_error("make_method: a learned reward must be passed in");
  if (!reward) reward = make_reward(in.cfg, *in.source, in.target);
  return std::make_unique<AdjointMatching>(std::move(in.pretrained), reward, adjoint_settings(in.cfg, kDynamics));
}

}  // namespace

const std::vector<MethodKind>& method_kinds() {
  using D = AdjointDynamics;
  static const std::vector<MethodKind> kinds = {
      {"standard", true, false, no_check, make_flow_matching<true>},
      {"scratch", false, false, check_scratch, make_flow_matching<false>},
      {"gft", true, false, check_gft, make_gft<false>},
      {"gft_marginal", true, false, check_gft_marginal, make_gft<true>},
      {"l2sp", true, false, no_check, make_l2sp},
      {"adjoint_matching", true, true, check_adjoint<D::kMemorylessSde>, make_adjoint<D::kMemorylessSde>},
      {"adjoint_deterministic", true, true, check_adjoint<D::kOde>, make_adjoint<D::kOde>},
  };
  return kinds;
}

bool uses_pretrained(const Config& cfg) { return method_kind(cfg).uses_pretrained; }

void check_method(const Config& cfg, int64_t finetune_steps, const Distribution& target, const Distribution* source) {
  method_kind(cfg).check(cfg, finetune_steps, target, source);
  check_method_coupling(cfg);
}

std::unique_ptr<Method> make_method(const Config& cfg, int64_t finetune_steps, FieldPtr pretrained,
                                    const Distribution& target, const Distribution* source, Reward reward) {
  check_method(cfg, finetune_steps, target, source);
  if (uses_pretrained(cfg) != static_cast<bool>(pretrained))
    throw std::logic_error("make_method: a pretrained model is needed exactly when the method uses one");
  return method_kind(cfg).make({cfg, finetune_steps, std::move(pretrained), target, source, std::move(reward)});
}

}  // namespace gftlab
