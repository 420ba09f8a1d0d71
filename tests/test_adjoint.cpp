#include "testing.h"

#include <filesystem>

#include "analytic_field.h"
#include "core/config.h"
#include "core/rng.h"
#include "coupling/coupling.h"
#include "method/adjoint_matching.h"
#include "method/reward_classifier.h"
#include "path/path.h"
#include "sampler/sampler.h"
#include "train/trainer.h"

using namespace gftlab;

namespace {

std::vector<at::Tensor> standard_noise(int64_t steps, at::IntArrayRef shape, uint64_t seed) {
  auto gen = make_generator(seed);
  std::vector<at::Tensor> noise;
  for (int64_t k = 0; k < steps; ++k) noise.push_back(at::randn(shape, gen, at::kFloat));
  return noise;
}

}  // namespace

TEST_CASE("adjoint matching: the lean adjoint equals finite differences of -lambda r(X_1) through the base dynamics",
          "[adjoint]") {
  const auto cfg = Config::load("", {"model.width=32", "model.depth=2"});
  const FieldPtr base = make_velocity_field(cfg, {2}, 3);
  for (auto& p : base->parameters()) p.set_requires_grad(false);
  const auto c = at::tensor({0.5, -1.0}, at::kDouble);
  const Reward reward = [c](const at::Tensor& x) { return -0.5 * (x - c).pow(2).sum(1) + at::sin(x.select(1, 0)); };
  AdjointSettings s;
  s.steps = 12;
  s.reward_scale = 1.7;
  // The memoryless SDE; the ODE over the whole trajectory; the ODE truncated to its final half.
  for (const auto& [dynamics, truncate] :
       {std::pair{AdjointDynamics::kMemorylessSde, 1.0}, std::pair{AdjointDynamics::kOde, 1.0},
        std::pair{AdjointDynamics::kOde, 0.5}}) {
    s.dynamics = dynamics;
    s.truncate = truncate;
    s.kl_weight = false;
    AdjointMatching am(base, reward, s);
    const auto noise = standard_noise(s.steps, {3, 2}, 5);
    auto gen = make_generator(4);
    const auto traj = am.simulate(*base, at::randn({3, 2}, gen, at::kFloat), noise);
    const auto a = am.lean_adjoint(traj);
    REQUIRE(a.size() == static_cast<size_t>(s.steps) + 1);
    const size_t first = am.adjoint_start();
    CHECK(first == (truncate < 1.0 ? 6u : 0u));
    for (size_t k = 0; k < first; ++k) CHECK_FALSE(a[k].defined());
    const auto cost = [&](const at::Tensor& x, size_t k) {  // -lambda r(X_N) of sample 1 continued from X_k = x
      const auto end = am.simulate(*base, x, noise, k).x.back();
      return -s.reward_scale * reward(end.to(at::kDouble)).index({1}).item<double>();
    };
    const double eps = 1e-2;
    for (const size_t k : {size_t(0), size_t(5), size_t(6), size_t(11), size_t(12)}) {
      if (k < first) continue;
      for (int64_t i = 0; i < 2; ++i) {
        auto up = traj.x[k].clone(), down = traj.x[k].clone();
        up.index_put_({1, i}, up.index({1, i}) + eps);
        down.index_put_({1, i}, down.index({1, i}) - eps);
        const double fd = (cost(up, k) - cost(down, k)) / (2 * eps);
        const double adjoint = a[k].index({1, i}).item<double>();
        INFO(am.name() << ", truncate " << truncate << ", k " << k << " coordinate " << i << ": adjoint " << adjoint
                       << ", finite differences " << fd);
        CHECK(adjoint == Approx(fd).epsilon(2e-3).margin(2e-3));
      }
    }
  }
  CHECK(AdjointMatching::sigma(0.5) == Approx(std::sqrt(2.0)));
  CHECK(AdjointMatching::sigma(1.0) == 0.0);
}

namespace {

// Base N(0, 1) through its exact field (the marginal velocity of a one-component mixture), a model
// pre-trained to it by flow matching, then fine-tuned with `s` and the reward r(x) = -a x^2 / 2 + b x;
// returns Euler samples of the fine-tuned EMA model and the nfe it logged per step.
std::pair<at::Tensor, double> tune_standard_normal(const AdjointSettings& s, double a, double b) {
  const GaussianMixture base_law(at::ones({1}, at::kDouble), at::zeros({1, 1}, at::kDouble),
                                 at::ones({1, 1, 1}, at::kDouble));
  const FieldPtr base = std::make_shared<testing::MixtureField>(base_law);
  const Reward reward = [a, b](const at::Tensor& x) { return (-0.5 * a * x * x + b * x).sum(1); };
  const auto cfg =
      Config::load("", {"model.width=64", "model.depth=3", "pretrain.steps=400", "pretrain.lr=2e-3",
                        "pretrain.ema_decay=0", "finetune.steps=300", "finetune.lr=2e-3",
                        "finetune.lr_schedule=constant", "finetune.batch_size=256", "finetune.ema_decay=0.99"});
  IndependentCoupling coupling;
  LinearPath path(0.0);
  const DrawBatch draw = [&base_law](int64_t n, at::Generator& g) { return base_law.sample(n, g).to(at::kFloat); };
  // The model starts as a flow-matching fit of the base, as a fine-tuned model starts from its pretrained one.
  FieldPtr model = make_velocity_field(cfg, {1}, 1);
  FlowMatching fit(false);
  {
    Trainer pretrain(model, make_velocity_field(cfg, {1}, 0), fit, path, coupling, {draw, {1}},
                     TrainSettings::from_config(cfg, "pretrain"), make_generator(2));
    for (int64_t k = 0; k < cfg.get_int("pretrain.steps"); ++k) pretrain.step();
  }
  AdjointMatching am(base, reward, s);
  Trainer trainer(model, make_velocity_field(cfg, {1}, 0), am, path, coupling, {draw, {1}},
                  TrainSettings::from_config(cfg, "finetune"), make_generator(3));
  for (int64_t k = 0; k < cfg.get_int("finetune.steps"); ++k) trainer.step();
  const double nfe = trainer.flush().extra.at(0).at(0);

  auto gen = make_generator(4);
  auto& tuned = trainer.ema().averaged();
  const Field f = [&tuned](double t, const at::Tensor& x) { return tuned.forward(at::full({x.size(0)}, t), x); };
  at::NoGradGuard no_grad;
  return {FixedStepSampler(FixedMethod::kEuler, 100).solve(f, at::randn({20000, 1}, gen), 0.0, 1.0).x, nfe};
}

}  // namespace

TEST_CASE("adjoint matching: N(0, 1) tilted by a quadratic reward reaches the Gaussian N(b / (1 + a), 1 / (1 + a))",
          "[adjoint][theory][slow]") {
  // The tilt of N(0, 1) by exp(-a x^2 / 2 + b x) is N(b / (1 + a), 1 / (1 + a)).
  const double a = 1.0, b = 1.0;
  AdjointSettings s;
  s.steps = 120;
  const auto [x1, nfe] = tune_standard_normal(s, a, b);
  CHECK(nfe == 2.0 * s.steps + 2.0 * s.time_samples);
  const double mean = x1.mean().item<double>(), var = x1.var().item<double>();
  INFO("samples: mean " << mean << " (want " << b / (1 + a) << "), variance " << var << " (want " << 1 / (1 + a)
                        << ")");
  CHECK(mean == Approx(b / (1 + a)).margin(0.05));
  CHECK(var == Approx(1 / (1 + a)).margin(0.06));
}

TEST_CASE("deterministic adjoint matching: N(0, 1) under a quadratic reward reaches the linear-quadratic optimum",
          "[adjoint][theory][slow]") {
  // Base flow of N(0, 1): v_pre = A(t) x with flow map Phi(1, t) = 1 / s(t), s(t)^2 = (1 - t)^2 + t^2, and
  // Phi(1, 0) = 1. With dv trained on [t_a, 1] and r = -x^2 / 2 + x, the optimal control gives
  // X_1 = x0 + lambda G r'(X_1), G = int_{t_a}^1 Phi(1, t)^2 / w(t) dt: X_1 = (x0 + lambda G) / (1 + lambda G).
  // Every sample moves towards the reward's maximum 1, so the law is not the tilt N(lambda / (1 + lambda), ...):
  // mean + standard deviation is 1 here, while the tilt's is larger.
  struct Case {
    bool kl_weight;
    double truncate, lambda;
  };
  for (const Case c : {Case{true, 0.5, 4.0}, Case{false, 1.0, 1.0}}) {
    AdjointSettings s;
    s.dynamics = AdjointDynamics::kOde;
    s.kl_weight = c.kl_weight;
    s.truncate = c.truncate;
    s.reward_scale = c.lambda;
    const int64_t n = 20000;
    double g = 0.0;  // midpoint rule
    for (int64_t i = 0; i < n; ++i) {
      const double t = 1.0 - c.truncate + c.truncate * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
      const double w = c.kl_weight ? 2.0 * t / (1.0 - t) : 1.0;
      g += c.truncate / static_cast<double>(n) / (((1.0 - t) * (1.0 - t) + t * t) * w);
    }
    const double lg = c.lambda * g, want_mean = lg / (1.0 + lg), want_sd = 1.0 / (1.0 + lg);
    const auto [x1, nfe] = tune_standard_normal(s, 1.0, 1.0);
    const double adjoint = std::floor(s.steps * c.truncate + 1e-9) - (c.kl_weight && c.truncate == 1.0 ? 1.0 : 0.0);
    CHECK(nfe == s.steps + adjoint + 2.0 * s.time_samples);
    const double mean = x1.mean().item<double>(), sd = x1.std().item<double>();
    INFO((c.kl_weight ? "kl" : "l2") << ", truncate " << c.truncate << ", lambda " << c.lambda << ": G " << g
                                     << "; samples: mean " << mean << " (want " << want_mean << "), sd " << sd
                                     << " (want " << want_sd << ")");
    CHECK(mean == Approx(want_mean).margin(0.025));
    CHECK(sd == Approx(want_sd).margin(0.025));
  }
}

TEST_CASE(
    "reward classifier: its logit estimates log q - log p_pre with held-out accuracy near Bayes, stored and reused",
    "[adjoint]") {
  // p_pre = N(0, 1) through its exact field, q = N(1, 1): log q(x) - log p_pre(x) = x - 1/2, and the Bayes
  // accuracy of balanced classes is Phi(1/2) = 0.6915.
  const GaussianMixture base_law(at::ones({1}, at::kDouble), at::zeros({1, 1}, at::kDouble),
                                 at::ones({1, 1, 1}, at::kDouble));
  const GaussianMixture target(at::ones({1}, at::kDouble), at::ones({1, 1}, at::kDouble),
                               at::ones({1, 1, 1}, at::kDouble));
  testing::MixtureField base(base_law);
  auto gen = make_generator(11);
  const auto samples = target.sample(4000, gen).to(at::kFloat);
  const std::string store = gftlab::testing::scratch_path("reward_classifier_store");
  const ClassifierSettings s;
  const auto trained = get_or_train_reward_classifier(s, base, samples, 3, "unit-test", store);
  CHECK_FALSE(trained.reused);
  CHECK(trained.accuracy == Approx(0.6915).margin(0.04));
  CHECK(trained.calibration_error < 0.06);
  const auto x = at::tensor({-1.0, 0.0, 0.5, 1.0, 2.0}, at::kDouble).reshape({5, 1});
  const auto logit = trained.reward(x);
  for (int64_t i = 0; i < 5; ++i) {
    const double want = x[i][0].item<double>() - 0.5;
    INFO("x = " << x[i][0].item<double>());
    CHECK(logit[i].item<double>() == Approx(want).margin(0.3));
  }
  const auto again = get_or_train_reward_classifier(s, base, samples, 3, "unit-test", store);
  CHECK(again.reused);
  CHECK(again.id == trained.id);
  CHECK(again.accuracy == trained.accuracy);
  CHECK(at::equal(again.reward(x), logit));
}

namespace {

// Counts its pairings: a method that learns from the noise alone must not pay for any.
class CountingOtCoupling : public OtCoupling {
 public:
  CountingOtCoupling() : OtCoupling(false) {}
  Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const override {
    ++pairings;
    return OtCoupling::pair(x0, x1, gen);
  }
  mutable int pairings = 0;
};

}  // namespace

TEST_CASE("trainer: a reward method gets the noise alone, no target batch, assignment, path sample or fm_loss",
          "[adjoint]") {
  const auto cfg = Config::load("", {"model.width=16", "model.depth=2", "finetune.batch_size=8"});
  const FieldPtr base = make_velocity_field(cfg, {2}, 3);
  for (auto& p : base->parameters()) p.set_requires_grad(false);
  AdjointSettings s;
  s.steps = 4;
  s.time_samples = 2;
  const Reward reward = [](const at::Tensor& x) { return -0.5 * x.pow(2).sum(1); };
  int draws = 0;
  const DrawBatch draw = [&draws](int64_t n, at::Generator&) {
    ++draws;
    return at::zeros({n, 2});
  };
  CountingOtCoupling coupling;
  LinearPath path(0.1);  // a path that would draw noise of its own
  FlowMatching fit(true);
  Trainer reference(make_velocity_field(cfg, {2}, 3), make_velocity_field(cfg, {2}, 0), fit, path, coupling,
                    {draw, {2}}, TrainSettings::from_config(cfg, "finetune"), make_generator(1));
  reference.step();
  CHECK(draws == 1);
  CHECK(coupling.pairings == 1);
  CHECK(reference.series_names().back() == "coupling_cost_ratio");

  AdjointMatching am(base, reward, s);
  Trainer trainer(make_velocity_field(cfg, {2}, 3), make_velocity_field(cfg, {2}, 0), am, path, coupling, {draw, {2}},
                  TrainSettings::from_config(cfg, "finetune"), make_generator(1));
  for (int k = 0; k < 3; ++k) trainer.step();
  const auto chunk = trainer.flush();
  CHECK(draws == 1);
  CHECK(coupling.pairings == 1);
  CHECK(trainer.series_names() == std::vector<std::string>{"nfe", "vjp"});
  CHECK(chunk.extra.size() == 2);
  CHECK(chunk.fm_loss.empty());
  CHECK(chunk.loss.size() == 3);
  CHECK(std::isfinite(chunk.loss.back()));
}
