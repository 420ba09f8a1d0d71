#include "testing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config.h"
#include "core/rng.h"
#include "coupling/coupling.h"
#include "metrics/sample_distances.h"

using namespace gftlab;

namespace {

double cost_of(const at::Tensor& x0, const at::Tensor& x1, const std::vector<int64_t>& perm) {
  return pairing_cost(x0, x1.index_select(0, at::tensor(perm, at::kLong))).item<double>();
}

double brute_force(const at::Tensor& x0, const at::Tensor& x1) {
  std::vector<int64_t> perm(x0.size(0));
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do best = std::min(best, cost_of(x0, x1, perm));
  while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

bool is_permutation(const at::Tensor& p) { return at::equal(std::get<0>(p.sort()), at::arange(p.size(0), at::kLong)); }

}  // namespace

TEST_CASE("every coupling of the table: made by its name, pairs of the batch's samples, a series per name",
          "[coupling]") {
  auto gen = make_generator(3);
  const auto x0 = at::randn({12, 2}, gen, at::kDouble), x1 = at::randn({12, 2}, gen, at::kDouble) + 2.0;
  // The rows of a batch, as a set of strings, to check that every pair is made of the batch's own samples.
  const auto rows = [](const at::Tensor& x) {
    std::set<std::string> out;
    for (int64_t i = 0; i < x.size(0); ++i)
      out.insert(fmt::format(
          "{}", fmt::join(std::vector<double>(x[i].data_ptr<double>(), x[i].data_ptr<double>() + x.size(1)), ",")));
    return out;
  };
  for (const auto& kind : coupling_kinds()) {
    INFO(kind.name);
    const auto coupling = make_coupling(Config::load("", {"coupling.kind=" + kind.name}));
    const auto pairs = coupling->pair(x0, x1, gen);
    REQUIRE(pairs.x0.sizes() == x0.sizes());
    REQUIRE(pairs.x1.sizes() == x1.sizes());
    const auto from0 = rows(x0), from1 = rows(x1);
    for (const auto& r : rows(pairs.x0.contiguous())) CHECK(from0.count(r) == 1);
    for (const auto& r : rows(pairs.x1.contiguous())) CHECK(from1.count(r) == 1);
    CHECK(pairs.series.size() == coupling->series_names().size());
    // Its first series, the cost against the identity pairing's, is a finite positive ratio.
    const double ratio = pairs.series.at(0).item<double>();
    CHECK(std::isfinite(ratio));
    CHECK(ratio > 0.0);
  }
}

TEST_CASE("ot coupling: exact against enumeration, a permutation, never beaten", "[coupling][ot]") {
  auto gen = make_generator(11);
  const OtCoupling ot(false);
  SECTION("n <= 8, including 784-dimensional images") {
    for (int trial = 0; trial < 40; ++trial) {
      const int64_t n = 1 + trial % 8, d = trial % 5 == 0 ? 784 : 2;
      const auto x0 = at::randn({n, d}, gen), x1 = at::randn({n, d}, gen) + 1.0;
      const auto pairing = ot.pair(x0, x1, gen);
      REQUIRE(is_permutation(OtCoupling::optimal_permutation(x0, x1)));
      CHECK(pairing_cost(pairing.x0, pairing.x1).item<double>() == Approx(brute_force(x0, x1)).epsilon(1e-9));
    }
  }
  SECTION("n = 256: no cheaper than the identity or random permutations; the logged ratio is right") {
    const auto x0 = at::randn({256, 2}, gen), x1 = at::randn({256, 2}, gen) * 0.5 + 2.0;
    const auto pairing = ot.pair(x0, x1, gen);
    const double optimal = pairing_cost(pairing.x0, pairing.x1).item<double>();
    std::vector<int64_t> perm(256);
    std::iota(perm.begin(), perm.end(), 0);
    const double identity = cost_of(x0, x1, perm);
    std::mt19937_64 rng(5);
    for (int k = 0; k < 20; ++k) {
      CHECK(optimal <= cost_of(x0, x1, perm) + 1e-6);
      std::shuffle(perm.begin(), perm.end(), rng);
    }
    REQUIRE(pairing.series.size() == 1);
    CHECK(pairing.series[0].item<double>() == Approx(optimal / identity));
    CHECK(pairing.series[0].item<double>() < 1.0);
    CHECK(at::equal(pairing.x0, x0));  // x0 keeps its order; x1 is re-ordered
  }
  SECTION("B = 1024 of 784-dimensional samples") {
    const auto x0 = at::randn({1024, 1, 28, 28}, gen), x1 = at::rand({1024, 1, 28, 28}, gen);
    const auto perm = OtCoupling::optimal_permutation(x0, x1);
    REQUIRE(is_permutation(perm));
    const auto pairing = ot.pair(x0, x1, gen);
    CHECK(pairing.x1.sizes() == x1.sizes());
    CHECK(pairing.series[0].item<double>() < 1.0);
  }
}

TEST_CASE("ot_sampled and sinkhorn: pairs drawn from the plan", "[coupling]") {
  auto gen = make_generator(12);
  const auto x0 = at::randn({64, 2}, gen), x1 = at::randn({64, 2}, gen) * 0.5 + 2.0;
  SECTION("ot_sampled: every pair is a pair of the exact plan; about 1 - 1/e of the samples are used") {
    const auto perm = OtCoupling::optimal_permutation(x0, x1);
    auto g1 = make_generator(3), g2 = make_generator(3);
    const auto pairing = OtCoupling(true).pair(x0, x1, g1);
    for (int64_t k = 0; k < 64; ++k) {
      const int64_t i = (x0 == pairing.x0[k]).all(1).nonzero().item<int64_t>();
      REQUIRE(at::equal(pairing.x1[k], x1[perm[i].item<int64_t>()]));
    }
    REQUIRE(pairing.series.size() == 2);
    CHECK(pairing.series[1].item<double>() == Approx(1 - std::exp(-1.0)).margin(0.12));
    CHECK(at::equal(OtCoupling(true).pair(x0, x1, g2).x1, pairing.x1));  // seeded
  }
  SECTION("sinkhorn: marginals uniform; cost approaches the exact OT cost as eps shrinks") {
    const double exact =
        pairing_cost(x0, x1.index_select(0, OtCoupling::optimal_permutation(x0, x1))).item<double>() / 64;
    const auto cost = squared_distances(x0, x1);
    double previous = 1e300;
    for (double eps : {0.5, 0.05, 0.005}) {
      INFO("eps " << eps);
      const auto plan = SinkhornCoupling(eps, 20000, 1e-9).plan(x0, x1);
      CHECK((plan.sum(1) - 1.0 / 64).abs().max().item<double>() < 1e-8);
      CHECK((plan.sum(0) - 1.0 / 64).abs().max().item<double>() < 1e-12);
      const double transport = (plan * cost).sum().item<double>();
      CHECK(transport >= exact - 1e-9);
      CHECK(transport < previous);
      previous = transport;
    }
    CHECK(previous == Approx(exact).epsilon(0.02));
    const auto pairing = SinkhornCoupling(0.05, 2000, 1e-6).pair(x0, x1, gen);
    CHECK(at::isfinite(SinkhornCoupling(1e-4, 300, 1e-9).plan(x0, x1)).all().item<bool>());  // absorbs, no overflow
    CHECK(pairing.series[0].item<double>() < 1.0);
    CHECK(pairing.series[1].item<double>() > 0.3);
  }
  SECTION("sinkhorn: a plan that reaches max_iters unconverged says so, in the solve and in every step's series") {
    const SinkhornCoupling capped(1e-3, 10, 1e-12), ample(0.5, 20000, 1e-9);
    const auto stopped = capped.solve(x0, x1);
    CHECK_FALSE(stopped.converged);
    CHECK(stopped.residual >= 1e-12);
    CHECK(ample.solve(x0, x1).converged);
    REQUIRE(capped.series_names().back() == "coupling_converged");
    CHECK(capped.pair(x0, x1, gen).series.back().item<double>() == 0.0);
    CHECK(ample.pair(x0, x1, gen).series.back().item<double>() == 1.0);
  }
}

TEST_CASE("sinkhorn: the plan equals POT's log-domain Sinkhorn on the same cost", "[coupling][sinkhorn]") {
  auto gen = make_generator(5);
  const auto x0 = at::randn({96, 2}, gen), x1 = at::randn({96, 2}, gen) * 0.5 + 2.0;
  const auto cost = squared_distances(x0, x1);
  const auto cost_path = testing::scratch_path("sinkhorn_cost.bin"),
             plan_path = testing::scratch_path("sinkhorn_plan.bin");
  testing::write_raw(cost_path, cost);
  for (double eps : {0.5, 0.05, 0.01}) {
    INFO("eps " << eps);
    testing::write_raw(plan_path, SinkhornCoupling(eps, 50000, 1e-12).plan(x0, x1));
    const double reg = eps * cost.mean().item<double>();
    CHECK(testing::run_python(fmt::format("{} {}/py/pot_sinkhorn.py {} {} 96 {:.17g}", GFTLAB_PYTHON, GFTLAB_TEST_DIR,
                                          cost_path, plan_path, reg)) < 1e-8);
  }
}
