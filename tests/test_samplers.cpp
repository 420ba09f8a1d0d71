#include "testing.h"

#include <cmath>

#include "analytic_field.h"
#include "core/config.h"
#include "core/rng.h"
#include "data/gaussian_mixture.h"
#include "sampler/sampler.h"

using namespace gftlab;

namespace {

// dx/dt = x cos(t): x(t) = x0 exp(sin t - sin t0).
const Field kField = [](double t, const at::Tensor& x) { return x * std::cos(t); };

double error_of(const Sampler& s, int64_t* nfe = nullptr) {
  const auto x0 = at::tensor({1.0, -2.0, 0.5}, at::kDouble);
  const auto sol = s.solve(kField, x0, 0.0, 1.0);
  if (nfe) *nfe = sol.nfe;
  return (sol.x - x0 * std::exp(std::sin(1.0))).abs().max().item<double>();
}

double observed_order(FixedMethod m) {
  return std::log2(error_of(FixedStepSampler(m, 20)) / error_of(FixedStepSampler(m, 40)));
}

}  // namespace

TEST_CASE("ODE solvers: orders of convergence, NFE counts, adaptive accuracy, reverse time", "[sampler]") {
  CHECK(observed_order(FixedMethod::kEuler) == Approx(1.0).margin(0.1));
  CHECK(observed_order(FixedMethod::kHeun) == Approx(2.0).margin(0.1));
  CHECK(observed_order(FixedMethod::kRk4) == Approx(4.0).margin(0.15));

  int64_t nfe = 0;
  error_of(FixedStepSampler(FixedMethod::kEuler, 10), &nfe);
  CHECK(nfe == 10);
  error_of(FixedStepSampler(FixedMethod::kHeun, 10), &nfe);
  CHECK(nfe == 20);
  error_of(FixedStepSampler(FixedMethod::kRk4, 10), &nfe);
  CHECK(nfe == 40);

  int64_t loose_nfe = 0, tight_nfe = 0;
  const double loose = error_of(Dopri5Sampler(1e-4, 1e-4), &loose_nfe);
  const double tight = error_of(Dopri5Sampler(1e-10, 1e-10), &tight_nfe);
  CHECK(loose < 1e-3);
  CHECK(tight < 1e-8);
  CHECK(tight_nfe > loose_nfe);
  CHECK((tight_nfe - 2) % 6 == 0);  // 2 evaluations pick the first step, then 6 per attempted step

  const auto x1 = at::tensor({2.0}, at::kDouble);
  const auto back = Dopri5Sampler(1e-10, 1e-10).solve(kField, x1, 1.0, 0.0).x;
  CHECK(back.item<double>() == Approx(2.0 * std::exp(-std::sin(1.0))).epsilon(1e-8));
  const auto back_rk4 = FixedStepSampler(FixedMethod::kRk4, 50).solve(kField, x1, 1.0, 0.0).x;
  CHECK(back_rk4.item<double>() == Approx(2.0 * std::exp(-std::sin(1.0))).epsilon(1e-7));
}

TEST_CASE("every sampler of the table: made by its name, and exact on a constant field", "[sampler]") {
  const auto c = at::tensor({0.5, -1.25, 2.0}, at::kDouble), x0 = at::tensor({1.0, 0.0, -3.0}, at::kDouble);
  const Field constant = [&c](double, const at::Tensor& x) { return at::zeros_like(x) + c; };
  for (const auto& kind : sampler_kinds()) {
    INFO(kind.name);
    // g = 0: the SDE sampler is an ODE solver too; its margin short of t = 1 made negligible.
    const auto cfg = Config::load("", {"eval.sampler.kind=" + kind.name, "eval.sampler.g=0",
                                       "eval.sampler.t_margin=1e-12", "eval.sampler.steps=7"});
    const auto sampler = make_sampler(cfg, "eval.sampler", cfg.get_float("path.sigma"), 1);
    CHECK(sampler->name() == kind.name);
    const auto x1 = sampler->solve(constant, x0.clone(), 0.0, 1.0).x;
    CHECK((x1 - (x0 + c)).abs().max().item<double>() < 1e-9);
  }
}

TEST_CASE("SDE sampler: g = 0 is Euler, and with g > 0 the marginals of the exact flow are kept", "[sampler][sde]") {
  // A single Gaussian target, whose exact marginal velocity makes the SDE's terminal law known: N(m, S).
  const auto mean = at::tensor({1.5, -0.5}, at::kDouble);
  const auto cov = at::tensor({0.6, 0.25, 0.25, 0.4}, at::kDouble).reshape({1, 2, 2});
  const GaussianMixture target(at::ones({1}, at::kDouble), mean.reshape({1, 2}), cov);
  testing::MixtureField exact(target);
  const Field field = field_of(exact);
  auto gen = make_generator(7);
  const auto x0 = at::randn({10000, 2}, gen, at::kDouble);
  const double margin = 1e-3;

  SECTION("g = 0 equals the Euler ODE solver on [0, 1 - t_margin], NFE included") {
    const auto sde =
        EulerMaruyamaSampler(50, 0.0, DiffusionShape::kConstant, margin, 0.0, 1).solve(field, x0, 0.0, 1.0);
    const auto ode = FixedStepSampler(FixedMethod::kEuler, 50).solve(field, x0, 0.0, 1.0 - margin);
    CHECK(at::equal(sde.x, ode.x));
    CHECK(sde.nfe == ode.nfe);
  }
  SECTION("constant and bridge-shaped g: sample mean and covariance match the target") {
    for (auto shape : {DiffusionShape::kConstant, DiffusionShape::kBridge}) {
      const EulerMaruyamaSampler sampler(200, 1.0, shape, margin, 0.0, 3);
      const auto x = sampler.solve(field, x0, 0.0, 1.0).x;
      const auto centred = x - x.mean(0);
      const auto sample_cov = at::matmul(centred.t(), centred) / (x.size(0) - 1);
      // Monte-Carlo error of 10000 samples is about 0.007 per entry; Euler-Maruyama's bias is O(1/steps).
      CHECK((x.mean(0) - mean).abs().max().item<double>() < 0.03);
      CHECK((sample_cov - cov[0]).abs().max().item<double>() < 0.03);
      // The noise is real: the endpoint is not the ODE's deterministic image of x0.
      const auto ode = FixedStepSampler(FixedMethod::kEuler, 200).solve(field, x0, 0.0, 1.0 - margin).x;
      CHECK((x - ode).pow(2).sum(1).mean().item<double>() > 0.05);
    }
    // The same seed gives the same Brownian path at every call.
    const EulerMaruyamaSampler sampler(20, 1.0, DiffusionShape::kConstant, margin, 0.0, 3);
    CHECK(at::equal(sampler.solve(field, x0, 0.0, 1.0).x, sampler.solve(field, x0, 0.0, 1.0).x));
    CHECK(sampler.diffusion(0.3) == 1.0);
    CHECK(EulerMaruyamaSampler(20, 1.0, DiffusionShape::kBridge, margin, 0.0, 3).diffusion(0.0) == 0.0);
  }
}
