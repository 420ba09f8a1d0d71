#include "testing.h"

#include <cmath>

#include "analytic_field.h"
#include "core/config.h"
#include "core/rng.h"
#include "data/distribution.h"
#include "data/distribution_names.h"

using namespace gftlab;

TEST_CASE("Gaussian mixture: log-density, sampling and exact velocity", "[data][gmm]") {
  const auto gmm = testing::two_component_mixture();
  auto gen = make_generator(3);

  SECTION("log-density equals the closed form, component by component") {
    const auto x = at::randn({50, 2}, gen, at::kDouble);
    at::Tensor expected = at::zeros({50}, at::kDouble);
    for (int k = 0; k < 2; ++k) {
      const auto diff = x - gmm.means()[k];
      const auto prec = at::inverse(gmm.covs()[k]);
      const auto quad = (at::matmul(diff, prec) * diff).sum(1);
      const auto logn = -0.5 * (quad + at::logdet(gmm.covs()[k]) + 2 * std::log(2 * M_PI));
      expected = expected + gmm.weights()[k] * at::exp(logn);
    }
    CHECK(at::allclose(gmm.log_prob(x), expected.log(), 1e-10, 1e-10));
  }
  SECTION("samples have the mixture's mean and covariance") {
    const auto x = gmm.sample(200000, gen).to(at::kDouble);
    const auto w = gmm.weights();
    const auto mean = (w.unsqueeze(1) * gmm.means()).sum(0);
    const auto second =
        (w.reshape({2, 1, 1}) * (gmm.covs() + gmm.means().unsqueeze(2) * gmm.means().unsqueeze(1))).sum(0);
    const auto cov = second - mean.unsqueeze(1) * mean.unsqueeze(0);
    CHECK(at::allclose(x.mean(0), mean, 0, 0.01));
    const auto xc = x - x.mean(0);
    CHECK(at::allclose(at::matmul(xc.t(), xc) / x.size(0), cov, 0, 0.02));
  }
  SECTION("velocity of a single Gaussian equals the closed-form conditional expectation") {
    const double m = 1.5, s2 = 0.4;
    const GaussianMixture single(at::ones({1}, at::kDouble), at::full({1, 1}, m, at::kDouble),
                                 at::full({1, 1, 1}, s2, at::kDouble));
    const auto t = at::rand({100}, gen, at::kDouble);
    const auto x = at::randn({100, 1}, gen, at::kDouble);
    for (double sigma : {0.0, 0.3}) {
      const auto var = t * t * s2 + (1 - t) * (1 - t) + sigma * sigma;
      const auto expected = m + (t * s2 - (1 - t)) / var * (x.squeeze(1) - t * m);
      CHECK(at::allclose(single.velocity(t, x, sigma).squeeze(1), expected, 1e-10, 1e-10));
    }
  }
  SECTION("mixture velocity matches a Monte-Carlo estimate of E[x1 - x0 | x_t = x]") {
    // Draw (x0, x1), keep pairs whose x_t lands near a probe point: a kernel-weighted conditional mean.
    const int64_t n = 2000000;
    const double t = 0.6, h = 0.05;
    const auto x1 = gmm.sample(n, gen).to(at::kDouble);
    const auto x0 = at::randn({n, 2}, gen, at::kDouble);
    const auto xt = t * x1 + (1 - t) * x0;
    const auto probe = at::tensor({0.5, 0.0}, at::kDouble).reshape({1, 2});
    const auto weight = at::exp(-(xt - probe).pow(2).sum(1) / (2 * h * h));
    const auto estimate = ((x1 - x0) * weight.unsqueeze(1)).sum(0) / weight.sum();
    const auto exact = gmm.velocity(at::full({1}, t, at::kDouble), probe, 0.0).squeeze(0);
    CHECK(at::allclose(estimate, exact, 0, 0.05));
  }
  SECTION("at t = 1 the velocity field points from noise to data: u_1(x) = x (sigma = 0)") {
    const auto x = at::randn({20, 2}, gen, at::kDouble);
    const auto u = gmm.velocity(at::ones({20}, at::kDouble), x, 0.0);
    // E[x1 - x0 | x1 = x] = x - E[x0] = x.
    CHECK(at::allclose(u, x, 1e-9, 1e-9));
  }
}

TEST_CASE("distributions: every configured kind samples with the right shape, seeded", "[data]") {
  for (const auto& row : distribution_table()) {
    // A researcher's own files and Fashion-MNIST have tests of their own (test_data_files.cpp, test_images.cpp).
    if (row.name == "files" || row.name == "fashion_mnist") continue;
    INFO(row.name);
    std::vector<std::string> keys = {"target.kind=" + row.name};
    if (row.name == "gmm") keys.push_back("target.gmm.means=[[0, 0], [3, 3]]");
    const auto cfg = Config::load("", keys);
    CHECK(data_files(cfg, "target").empty());
    const auto dist = make_distribution(cfg, "target");
    auto g1 = make_generator(9), g2 = make_generator(9);
    const auto a = dist->sample(500, g1), b = dist->sample(500, g2);
    CHECK(a.sizes() == at::IntArrayRef({500, 2}));
    CHECK(at::equal(a, b));
    CHECK(at::isfinite(a).all().item<bool>());
    CHECK(a.std(0).min().item<double>() > 0.2);
  }
  const auto random_cfg = Config::load("", {"target.kind=gmm_random", "target.gmm.dim=8", "target.gmm.components=4"});
  const auto random_gmm = make_distribution(random_cfg, "target");
  CHECK(random_gmm->dim() == 8);
  REQUIRE(random_gmm->mixture() != nullptr);
  CHECK(random_gmm->mixture()->means().size(0) == 4);

  const auto bad =
      Config::load("", {"target.kind=gmm", "target.gmm.means=[[0, 0]]", "target.gmm.covs=[[[1, 2], [2, 1]]]"});
  CHECK_THROWS_WITH(make_distribution(bad, "target"), Catch::Contains("positive definite"));
  const auto shape = Config::load("", {"target.kind=gmm", "target.gmm.means=[[0, 0]]", "target.gmm.weights=[1, 1]"});
  CHECK_THROWS_WITH(make_distribution(shape, "target"), Catch::Contains("target.gmm.weights: needs 1"));
}
