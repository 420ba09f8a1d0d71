#include "testing.h"

#include <cmath>

#include "analytic_field.h"
#include "core/rng.h"
#include "metrics/likelihood.h"
#include "metrics/path_metrics.h"
#include "metrics/sample_distances.h"
#include "sampler/sampler.h"

using namespace gftlab;

TEST_CASE("sample distances: zero for identical sets, positive and ordered otherwise", "[metrics]") {
  auto gen = make_generator(4);
  const auto a = at::randn({400, 2}, gen, at::kFloat);
  const auto b = at::randn({400, 2}, gen, at::kFloat);
  const auto far = b + 3.0;
  const std::vector<double> bw = {0.1, 0.5, 1.0, 2.0};
  CHECK(mmd2_rbf(a, a, bw) == Approx(0.0).margin(1e-12));
  CHECK(energy_distance(a, a) == Approx(0.0).margin(1e-12));
  CHECK(mmd2_rbf(a, b, bw) > 0);
  CHECK(energy_distance(a, b) > 0);
  CHECK(mmd2_rbf(a, far, bw) > 10 * mmd2_rbf(a, b, bw));
  CHECK(energy_distance(a, far) > 10 * energy_distance(a, b));
  auto g = make_generator(5);
  CHECK(sliced_w2(a, a, 64, g) == Approx(0.0).margin(1e-12));
  // A pure translation by (3, 3): every projection moves by 3 (u . 1), so SW2^2 = 9 E[(u1 + u2)^2] = 9.
  auto g2 = make_generator(6);
  CHECK(sliced_w2(a, a + 3.0, 4096, g2) == Approx(3.0).epsilon(0.03));
}

TEST_CASE("likelihood: the flow of an exact Gaussian-mixture field gives the exact log-density", "[metrics][nll]") {
  const auto gmm = testing::two_component_mixture();
  testing::MixtureField field(gmm);
  auto gen = make_generator(7);
  const auto x = gmm.sample(64, gen);
  const auto exact = -gmm.log_prob(x);
  const FixedStepSampler rk4(FixedMethod::kRk4, 200);
  SECTION("exact divergence") {
    const auto nll = model_nll(field, x, rk4, 16, gen);
    CHECK(at::allclose(nll, exact, 0, 2e-3));
  }
  SECTION("Hutchinson's estimator is unbiased on average") {
    const auto nll = model_nll(field, x, rk4, 1, gen);
    CHECK(nll.mean().item<double>() == Approx(exact.mean().item<double>()).margin(0.15));
  }
}

TEST_CASE("path metrics on straight and curved trajectories", "[metrics][path]") {
  auto gen = make_generator(8);
  const auto x0 = at::randn({100, 2}, gen, at::kDouble);
  SECTION("a constant field: straight paths, zero straightness, ratio 1") {
    const auto c = at::tensor({1.0, 2.0}, at::kDouble);
    const Field constant = [&](double, const at::Tensor& x) { return at::zeros_like(x) + c; };
    PathStats stats;
    const auto x1 = FixedStepSampler(FixedMethod::kEuler, 50).solve(constant, x0, 0.0, 1.0, &stats).x;
    const auto s = stats.summary(x0, x1);
    CHECK(s.at("path_length") == Approx(std::sqrt(5.0)).epsilon(1e-9));
    CHECK(s.at("kinetic_energy") == Approx(5.0).epsilon(1e-9));
    CHECK(s.at("straightness") == Approx(0.0).margin(1e-9));
    CHECK(s.at("path_ratio") == Approx(1.0).epsilon(1e-9));
  }
  SECTION("a rotation: half a turn has length pi r and ratio pi / 2") {
    const Field rotate = [](double, const at::Tensor& x) { return at::stack({-x.select(1, 1), x.select(1, 0)}, 1) * M_PI; };
    PathStats stats;
    const auto x1 = FixedStepSampler(FixedMethod::kRk4, 400).solve(rotate, x0, 0.0, 1.0, &stats).x;
    const auto s = stats.summary(x0, x1);
    CHECK(s.at("path_ratio") == Approx(M_PI / 2).epsilon(1e-4));
    CHECK(s.at("straightness") > 1.0);
  }
}
