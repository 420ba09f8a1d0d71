#include <fmt/format.h>
#include <stdexcept>

#include "core/config.h"
#include "core/names.h"
#include "data/gaussian_mixture.h"
#include "method/adjoint_matching.h"
#include "method/method.h"

namespace gftlab {

Gft::Gft(std::string name, FieldPtr frozen, Schedule schedule, bool sum_scale, TimeWeight time_weight,
         TargetVelocity target)
    : name_(std::move(name)),
      frozen_(std::move(frozen)),
      schedule_(std::move(schedule)),
      sum_scale_(sum_scale),
      time_weight_(time_weight),
      target_(std::move(target)) {}

at::Tensor Gft::regression_target(const StepBatch& batch, double beta) const {
  const at::Tensor u = target_(batch);
  if (beta == 0.0) return u;
  at::NoGradGuard no_grad;
  const at::Tensor v_pre = frozen_->forward(batch.t, batch.xt);
  return (u + beta * v_pre) / (1.0 + beta);
}

StepLoss Gft::loss(VelocityField& model, const StepBatch& batch) {
  const double beta = schedule_.beta(batch.step);
  const at::Tensor v = model.forward(batch.t, batch.xt);
  const at::Tensor diff = v - regression_target(batch, beta);
  at::Tensor loss;
  switch (time_weight_) {
    case TimeWeight::kT: loss = weighted_mean_squared_norm(diff, batch.t); break;
    case TimeWeight::kOneMinusT: loss = weighted_mean_squared_norm(diff, 1.0 - batch.t); break;
    case TimeWeight::kUniform: loss = mean_squared_norm(diff); break;
  }
  if (sum_scale_ && beta != 0.0) loss = loss * (1.0 + beta);
  // One more reduction of the forward pass already made. For `gft` at beta = 0 with uniform weight it is the
  // same expression on the same tensors as the loss, hence the same bits.
  return {loss, mean_squared_norm(v.detach() - batch.u)};
}

StepCost Gft::cost(int64_t step) const { return {schedule_.beta(step) > 0.0 ? 2.0 : 1.0, 0.0}; }

std::vector<double> Gft::series_values(int64_t step) const {
  const double beta = schedule_.beta(step);
  return {beta, beta / (1.0 + beta)};
}

namespace {

Gft::TargetVelocity marginal_velocity(const Config& cfg, const Distribution& target) {
  const GaussianMixture* mixture = target.mixture();
  if (!mixture)
    throw cfg.error("method.name", fmt::format("`gft_marginal` needs the exact marginal velocity of an analytic "
                                               "Gaussian-mixture target (gmm, gmm_random, 8gaussians), not `{}`",
                                               cfg.get_string("target.kind")));
  if (cfg.get_string("coupling.kind") != "independent")
    throw cfg.error("coupling.kind", fmt::format("`gft_marginal` is defined for the independent coupling only, "
                                                 "not `{}`", cfg.get_string("coupling.kind")));
  const double sigma = cfg.get_float("path.sigma");
  return [mixture, sigma](const StepBatch& b) {
    // The mixture's parameters live on the CPU, whatever device trains.
    return mixture->velocity(b.t.to(at::kCPU, at::kDouble), b.xt.to(at::kCPU, at::kDouble), sigma).to(b.xt.options());
  };
}

}  // namespace

bool uses_pretrained(const Config& cfg) { return method_kind(cfg) != MethodKind::kScratch; }

void check_method(const Config& cfg, const Distribution& target, const Distribution* source) {
  const MethodKind kind = method_kind(cfg);
  if (kind == MethodKind::kGft || kind == MethodKind::kGftMarginal) make_schedule(cfg);
  if (kind == MethodKind::kGftMarginal) marginal_velocity(cfg, target);
  if (is_reward_method(kind)) adjoint_settings(cfg);
  check_method_coupling(cfg);
  if (kind == MethodKind::kScratch && !cfg.get_string("pretrain.import").empty())
    throw cfg.error("pretrain.import", "method.name scratch trains gftlab's own model from a fresh initialisation; "
                                       "an imported model is fine-tuned by the other methods");
  if (is_reward_method(kind) && cfg.get_string("method.reward") == "log_ratio_classifier" &&
      cfg.get_int("target.n_train") < 10)
    throw cfg.error("target.n_train", "`log_ratio_classifier` holds out a fifth of the target samples to measure "
                                      "the classifier: it needs at least 10");
  if (is_reward_method(kind) && cfg.get_string("method.reward") == "log_ratio_exact") {
    if (!source) throw std::logic_error("check_method: the exact log ratio needs the source distribution");
    make_reward(cfg, *source, target);
  }
}

std::unique_ptr<Method> make_method(const Config& cfg, FieldPtr pretrained, const Distribution& target,
                                    const Distribution* source, Reward reward) {
  check_method(cfg, target, source);
  if (uses_pretrained(cfg) != static_cast<bool>(pretrained))
    throw std::logic_error("make_method: a pretrained model is needed exactly when the method uses one");
  const MethodKind kind = method_kind(cfg);
  switch (kind) {
    case MethodKind::kStandard:
    case MethodKind::kScratch: return std::make_unique<FlowMatching>(kind == MethodKind::kStandard);
    case MethodKind::kL2sp: return std::make_unique<L2sp>(*pretrained, cfg.get_float("method.alpha"));
    case MethodKind::kAdjointMatching:
    case MethodKind::kAdjointDeterministic:
      if (!reward && cfg.get_string("method.reward") != "log_ratio_exact")
        throw std::logic_error("make_method: a learned reward must be passed in");
      if (!reward) reward = make_reward(cfg, *source, target);
      return std::make_unique<AdjointMatching>(std::move(pretrained), reward, adjoint_settings(cfg));
    case MethodKind::kGft:
    case MethodKind::kGftMarginal: break;
  }
  Gft::TargetVelocity velocity = [](const StepBatch& b) { return b.u; };
  if (kind == MethodKind::kGftMarginal) velocity = marginal_velocity(cfg, target);
  return std::make_unique<Gft>(cfg.get_string("method.name"), std::move(pretrained), make_schedule(cfg),
                               cfg.get_string("method.loss_scale") == "sum",
                               enum_from_name<TimeWeight>(cfg.get_string("method.time_weight"), time_weight_names()),
                               std::move(velocity));
}

}  // namespace gftlab
