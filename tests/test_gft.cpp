#include "testing.h"

#include <cmath>

#include "core/config.h"
#include "core/rng.h"
#include "coupling/coupling.h"
#include "data/distribution.h"
#include "data/gaussian_mixture.h"
#include "method/method.h"
#include "metrics/likelihood.h"
#include "path/path.h"
#include "sampler/sampler.h"
#include "train/trainer.h"

using namespace gftlab;

namespace {

// make_method as the runner calls it: the run's length is finetune.steps.
std::unique_ptr<Method> method_for_run(const Config& cfg, FieldPtr pretrained, const Distribution& target,
                                       const Distribution* source = nullptr) {
  return make_method(cfg, cfg.get_int("finetune.steps"), std::move(pretrained), target, source);
}

Config gft_config(std::vector<std::string> extra = {}) {
  std::vector<std::string> o = {"model.width=32", "model.depth=2", "method.name=gft", "finetune.steps=100"};
  o.insert(o.end(), extra.begin(), extra.end());
  return Config::load("", o);
}

GaussianMixture shifted_target() {
  const auto means = at::tensor({2.0, 1.0, -1.0, 2.5}, at::kDouble).reshape({2, 2});
  const auto covs = at::eye(2, at::kDouble).expand({2, 2, 2}).contiguous() * 0.2;
  return GaussianMixture(at::tensor({0.5, 0.5}, at::kDouble), means, covs);
}

StepBatch batch_from(const at::Tensor& x1, at::Generator& gen, int64_t step = 0) {
  const auto x0 = at::randn(x1.sizes(), gen);
  const auto t = at::rand({x1.size(0)}, gen);
  const auto sample = LinearPath(0.0).sample(x0, x1, t, gen);
  return {t, x0, x1, sample.xt, sample.u, step, gen};
}

// `steps` fine-tuning steps of `model` with `method` on 512 samples of `target`, flushed.
SeriesChunk train(const Config& cfg, Method& method, const FieldPtr& model, const GaussianMixture& target,
                  at::Generator& gen, int steps) {
  const auto train_set = target.sample(512, gen);
  IndependentCoupling coupling;
  LinearPath path(0.0);
  Trainer trainer(
      model, make_velocity_field(cfg, {2}, 0), method, path, coupling,
      {[&](int64_t n, at::Generator& g) { return train_set.index_select(0, at::randint(0, 512, {n}, g, at::kLong)); },
       {2}},
      TrainSettings::from_config(cfg, "finetune"), make_generator(4));
  for (int k = 0; k < steps; ++k) trainer.step();
  return trainer.flush();
}

std::vector<at::Tensor> snapshot(const VelocityField& field) {
  std::vector<at::Tensor> out;
  for (const auto& p : field.parameters()) out.push_back(p.detach().clone());
  return out;
}

}  // namespace

TEST_CASE("every method of the table: made by its name, with a finite loss on a batch", "[gft][method]") {
  // Analytic source and target, so that every method applies (marginal GFT's velocity, the exact log ratio).
  const auto target = shifted_target();
  const auto source = make_distribution(Config::load("", {"source.kind=8gaussians"}), "source");
  auto gen = make_generator(9);
  const auto batch = batch_from(target.sample(64, gen), gen);
  for (const auto& kind : method_kinds()) {
    INFO(kind.name);
    const auto cfg =
        gft_config({"method.name=" + kind.name, "method.adjoint.steps=10", "method.adjoint.time_samples=3"});
    const auto model = make_velocity_field(cfg, {2}, 1);
    const FieldPtr frozen = kind.uses_pretrained ? make_velocity_field(cfg, {2}, 2) : nullptr;
    const auto method = method_for_run(cfg, frozen, target, source.get());
    CHECK(method->name() == kind.name);
    CHECK(std::isfinite(method->loss(*model, batch).value.item<double>()));
    CHECK(method->draws_target_batches() == !kind.reward_based);
  }
}

TEST_CASE("gft: regression target, loss scale, time weight, frozen net untouched", "[gft]") {
  const auto target = shifted_target();
  const auto cfg = gft_config({"method.schedule.kind=constant", "method.schedule.beta0=0.5"});
  const FieldPtr frozen = make_velocity_field(cfg, {2}, 1);
  frozen->eval();
  for (auto& p : frozen->parameters()) p.set_requires_grad(false);
  const FieldPtr model = make_velocity_field(cfg, {2}, 2);
  auto gen = make_generator(3);
  const StepBatch batch = batch_from(target.sample(128, gen), gen);

  SECTION("y = (u + beta v_pre) / (1 + beta); beta = 0 gives u itself") {
    const auto method = method_for_run(cfg, frozen, target);
    auto& gft = dynamic_cast<Gft&>(*method);
    const auto v_pre = frozen->forward(batch.t, batch.xt).detach();
    CHECK(at::allclose(gft.regression_target(batch, 0.5), (batch.u + 0.5 * v_pre) / 1.5, 1e-6, 1e-6));
    CHECK(at::equal(gft.regression_target(batch, 0.0), batch.u));
    CHECK(gft.series_names() == std::vector<std::string>{"beta", "lambda"});
    CHECK(gft.series_values(0) == std::vector<double>{0.5, 0.5 / 1.5});
  }
  SECTION("loss_scale sum keeps (1 + beta); mean drops it; time weights multiply per sample") {
    const auto sum = method_for_run(cfg, frozen, target)->loss(*model, batch).value;
    const auto mean =
        method_for_run(cfg.with_overrides({"method.loss_scale=mean"}), frozen, target)->loss(*model, batch).value;
    CHECK(sum.item<double>() == Approx(1.5 * mean.item<double>()).epsilon(1e-6));
    const auto y = dynamic_cast<Gft&>(*method_for_run(cfg, frozen, target)).regression_target(batch, 0.5);
    const auto per_sample = (model->forward(batch.t, batch.xt) - y).pow(2).sum(1).detach();
    CHECK(mean.item<double>() == Approx(per_sample.mean().item<double>()).epsilon(1e-6));
    const auto weighted =
        method_for_run(cfg.with_overrides({"method.loss_scale=mean", "method.time_weight=one_minus_t"}), frozen, target)
            ->loss(*model, batch)
            .value;
    CHECK(weighted.item<double>() == Approx((per_sample * (1 - batch.t)).mean().item<double>()).epsilon(1e-6));
  }
  SECTION("fm_loss: the unscaled loss onto u = x1 - x0 whatever beta, scale, weight or target velocity") {
    const auto v = model->forward(batch.t, batch.xt).detach();
    const double by_hand = (v - (batch.x1 - batch.x0)).pow(2).sum(1).mean().item<double>();
    for (const auto& extra : std::vector<std::vector<std::string>>{{},
                                                                   {"method.loss_scale=mean"},
                                                                   {"method.time_weight=t"},
                                                                   {"method.name=gft_marginal"},
                                                                   {"method.name=standard"},
                                                                   {"method.name=l2sp"}}) {
      const auto step = method_for_run(cfg.with_overrides(extra), frozen, target)->loss(*model, batch);
      CHECK(!step.fm_loss.requires_grad());
      CHECK(step.fm_loss.item<double>() == Approx(by_hand).epsilon(1e-6));
    }
    // ...while the GFT loss itself regresses onto the mixed target, scaled: another number.
    CHECK(method_for_run(cfg, frozen, target)->loss(*model, batch).value.item<double>() !=
          Approx(by_hand).epsilon(0.01));
  }
  SECTION("through the trainer: /train/fm_loss equals /train/loss bit for bit where beta = 0") {
    const auto cosine = gft_config({"method.schedule.kind=cosine", "method.schedule.beta0=2",
                                    "method.schedule.anneal_steps=10", "finetune.steps=20"});
    const auto method = method_for_run(cosine, frozen, target);
    const auto chunk = train(cosine, *method, model, target, gen, 20);
    REQUIRE(chunk.fm_loss.size() == 20);
    for (int k = 0; k < 20; ++k) {
      INFO("step " << k);
      if (k < 10)
        CHECK(chunk.fm_loss[k] != chunk.loss[k]);
      else
        CHECK(chunk.fm_loss[k] == chunk.loss[k]);
    }
  }
  SECTION("fine-tuning leaves the frozen weights bit-identical and moves the model") {
    const auto frozen_before = snapshot(*frozen), model_before = snapshot(*model);
    const auto method = method_for_run(cfg, frozen, target);
    train(cfg, *method, model, target, gen, 30);
    const auto frozen_after = snapshot(*frozen), model_after = snapshot(*model);
    for (size_t k = 0; k < frozen_before.size(); ++k) REQUIRE(at::equal(frozen_before[k], frozen_after[k]));
    CHECK(!at::equal(model_before[0], model_after[0]));
  }
  SECTION("gft_marginal and l2sp: construction rules") {
    const auto source = cfg.with_overrides({"method.name=gft_marginal", "target.kind=moons"});
    CHECK_THROWS_WITH(method_for_run(source, frozen, *make_distribution(source, "target")),
                      Catch::Contains("analytic") && Catch::Contains("moons"));
    const auto ot = cfg.with_overrides({"method.name=gft_marginal", "coupling.kind=ot"});
    CHECK_THROWS_WITH(method_for_run(ot, frozen, target), Catch::Contains("independent"));
    // l2sp at the pretrained weights adds nothing; away from them it adds alpha * squared distance.
    const auto l2sp_cfg = cfg.with_overrides({"method.name=l2sp", "method.alpha=0.1"});
    const auto l2sp = method_for_run(l2sp_cfg, frozen, target);
    const auto standard = method_for_run(cfg.with_overrides({"method.name=standard"}), frozen, target);
    CHECK(l2sp->loss(*frozen, batch).value.item<double>() ==
          Approx(standard->loss(*frozen, batch).value.item<double>()));
    double squared = 0;
    const auto a = snapshot(*model), b = snapshot(*frozen);
    for (size_t k = 0; k < a.size(); ++k) squared += (a[k] - b[k]).pow(2).sum().item<double>();
    CHECK(l2sp->loss(*model, batch).value.item<double>() ==
          Approx(standard->loss(*model, batch).value.item<double>() + 0.1 * squared).epsilon(1e-5));
    // Its fm_loss is the flow-matching term alone.
    CHECK(at::equal(l2sp->loss(*model, batch).fm_loss, standard->loss(*model, batch).fm_loss));
  }
}

TEST_CASE("gft: conditional and marginal objectives have the same gradient in expectation", "[gft][theory]") {
  const auto target = shifted_target();
  const auto cfg = gft_config({"method.schedule.kind=constant", "method.schedule.beta0=1"});
  const FieldPtr frozen = make_velocity_field(cfg, {2}, 1);
  for (auto& p : frozen->parameters()) p.set_requires_grad(false);
  const FieldPtr model = make_velocity_field(cfg, {2}, 2);
  const auto conditional = method_for_run(cfg, frozen, target);
  const auto marginal = method_for_run(cfg.with_overrides({"method.name=gft_marginal"}), frozen, target);
  const auto wrong =
      method_for_run(cfg.with_overrides({"method.name=gft_marginal", "method.schedule.beta0=1.5"}), frozen, target);

  const auto gradient = [&](Method& method, const StepBatch& batch) {
    model->zero_grad();
    method.loss(*model, batch).value.backward();
    std::vector<at::Tensor> g;
    for (const auto& p : model->parameters()) g.push_back(p.grad().flatten().clone());
    return at::cat(g);
  };
  auto gen = make_generator(5);
  at::Tensor g_cond, g_marg, g_wrong;
  const int batches = 40;
  for (int k = 0; k < batches; ++k) {
    // Common random numbers: both objectives see the same (t, x_t); only u differs from u_t(x_t).
    const StepBatch batch = batch_from(target.sample(4096, gen), gen);
    const auto c = gradient(*conditional, batch), m = gradient(*marginal, batch), w = gradient(*wrong, batch);
    g_cond = k == 0 ? c : g_cond + c;
    g_marg = k == 0 ? m : g_marg + m;
    g_wrong = k == 0 ? w : g_wrong + w;
  }
  const double scale = g_marg.norm().item<double>();
  const double mismatch = (g_cond - g_marg).norm().item<double>() / scale;
  const double contrast = (g_wrong - g_marg).norm().item<double>() / scale;
  INFO("relative gradient difference " << mismatch << ", beta 1 vs 1.5: " << contrast);
  CHECK(mismatch < 0.02);
  CHECK(contrast > 4 * mismatch);
}

namespace {

// Pretrains on `source` and fine-tunes towards `target` with fresh target samples (the population, so
// that the objective's minimiser is exactly the theory's field).
struct ShiftExperiment {
  Config cfg;
  GaussianMixture source, target;
  FieldPtr pretrained;
  at::Tensor t, xt, u;  // fixed evaluation points on the target path and the exact u_t there

  ShiftExperiment(Config c, GaussianMixture s, GaussianMixture q)
      : cfg(std::move(c)), source(std::move(s)), target(std::move(q)) {
    FlowMatching flow_matching(false);
    pretrained = train(make_velocity_field(cfg, {2}, 1), flow_matching, source, "pretrain");
    for (auto& p : pretrained->parameters()) p.set_requires_grad(false);
    pretrained->eval();
    auto gen = make_generator(9);
    const StepBatch points = batch_from(target.sample(8192, gen), gen);
    t = points.t;
    xt = points.xt;
    u = target.velocity(t, xt, 0.0).to(at::kFloat);
  }

  FieldPtr train(FieldPtr model, Method& method, const Distribution& data, const std::string& phase) const {
    IndependentCoupling coupling;
    LinearPath path(0.0);
    Trainer trainer(model, make_velocity_field(cfg, {2}, 0), method, path, coupling,
                    {[&data](int64_t n, at::Generator& g) { return data.sample(n, g); }, {2}},
                    TrainSettings::from_config(cfg, phase), make_generator(phase == "pretrain" ? 6 : 7));
    for (int64_t k = 0; k < cfg.get_int(phase + ".steps"); ++k) trainer.step();
    return trainer.ema().averaged_ptr();
  }

  FieldPtr finetune(const std::vector<std::string>& overrides) const {
    const auto c = cfg.with_overrides(overrides);
    auto model = make_velocity_field(c, {2}, 1);
    copy_weights(*pretrained, *model);
    for (auto& p : model->parameters()) p.set_requires_grad(true);
    model->train();
    const auto method = method_for_run(c, pretrained, target);
    return train(model, *method, target, "finetune");
  }

  // E ||a - b||^2 over the evaluation points.
  static double distance(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).pow(2).sum(1).mean().item<double>();
  }
  at::Tensor at_points(VelocityField& f) const {
    at::NoGradGuard no_grad;
    return f.forward(t, xt);
  }
};

}  // namespace

TEST_CASE("gft on a Gaussian-mixture shift: constant beta reaches (u + beta v_pre) / (1 + beta), annealing the target",
          "[gft][theory][slow]") {
  const auto source_means = at::tensor({-1.5, -1.5, 1.5, -1.5, 0.0, 1.5}, at::kDouble).reshape({3, 2});
  GaussianMixture source(at::ones({3}, at::kDouble), source_means,
                         at::eye(2, at::kDouble).expand({3, 2, 2}).contiguous() * 0.15);
  const auto cfg = Config::load(
      "", {"model.width=64", "model.depth=3", "pretrain.steps=1500", "pretrain.lr=2e-3", "finetune.steps=1500",
           "finetune.lr=1e-3", "pretrain.ema_decay=0.99", "finetune.ema_decay=0.99"});
  const ShiftExperiment e(cfg, std::move(source), shifted_target());
  const auto v_pre = e.at_points(*e.pretrained);
  const double beta = 1.0;
  const auto v_beta = (e.u + beta * v_pre) / (1 + beta);

  const auto kl = e.finetune({"method.name=gft", "method.schedule.kind=constant", "method.schedule.beta0=1"});
  const double model_gap = ShiftExperiment::distance(e.at_points(*kl), v_beta);
  const double target_gap = ShiftExperiment::distance(e.u, v_beta), pre_gap = ShiftExperiment::distance(v_pre, v_beta);
  INFO("E|v - v_beta|^2: model " << model_gap << ", u_t " << target_gap << ", v_pre " << pre_gap);
  CHECK(model_gap < 0.1 * std::min(target_gap, pre_gap));

  const auto standard = e.finetune({"method.name=standard"});
  const auto annealed = e.finetune({"method.name=gft", "method.schedule.kind=cosine", "method.schedule.beta0=4"});
  const double err_standard = ShiftExperiment::distance(e.at_points(*standard), e.u);
  const double err_annealed = ShiftExperiment::distance(e.at_points(*annealed), e.u);
  const double err_kl = ShiftExperiment::distance(e.at_points(*kl), e.u);
  INFO("velocity error: standard " << err_standard << ", annealed " << err_annealed << ", constant " << err_kl);
  CHECK(err_annealed == Approx(err_standard).epsilon(0.35));
  CHECK(err_annealed < 0.3 * err_kl);

  // Likelihood of held-out target samples: the exact target's is the floor both should approach.
  auto gen = make_generator(10);
  const auto held_out = e.target.sample(1000, gen);
  const FixedStepSampler rk4(FixedMethod::kRk4, 20);
  const auto nll = [&](VelocityField& f) { return model_nll(f, held_out, rk4, 2, gen).mean().item<double>(); };
  const double nll_standard = nll(*standard), nll_annealed = nll(*annealed), nll_kl = nll(*kl);
  const double floor = -e.target.log_prob(held_out.to(at::kDouble)).mean().item<double>();
  INFO("NLL: exact " << floor << ", standard " << nll_standard << ", annealed " << nll_annealed << ", constant "
                     << nll_kl);
  CHECK(nll_annealed == Approx(nll_standard).margin(0.05));
  CHECK(nll_kl > nll_annealed + 0.2);
}
