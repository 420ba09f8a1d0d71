#include "testing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/rng.h"
#include "metrics/sample_distances.h"
#include "ot/assignment.h"

using namespace gftlab;

namespace {

double brute_force(const std::vector<double>& cost, int64_t n) {
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double c = 0;
    for (int64_t i = 0; i < n; ++i) c += cost[i * n + perm[i]];
    best = std::min(best, c);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

// Largest amount by which the duals exceed a cost (0 for a feasible dual).
double max_dual_violation(const std::vector<double>& cost, const Assignment& s) {
  const int64_t n = static_cast<int64_t>(s.row_to_col.size());
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) worst = std::max(worst, s.row_potential[i] + s.col_potential[j] - cost[i * n + j]);
  return worst;
}

double dual_objective(const Assignment& s) {
  return std::accumulate(s.row_potential.begin(), s.row_potential.end(), 0.0) +
         std::accumulate(s.col_potential.begin(), s.col_potential.end(), 0.0);
}

bool is_permutation(std::vector<int64_t> p) {
  std::sort(p.begin(), p.end());
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

}  // namespace

TEST_CASE("assignment: exact against brute-force enumeration and invariants", "[ot]") {
  std::mt19937_64 rng(12345);
  SECTION("random, integer (ties) and Euclidean costs, n <= 8") {
    for (int trial = 0; trial < 300; ++trial) {
      const int64_t n = 1 + trial % 8;
      std::vector<double> cost(n * n);
      for (auto& c : cost) {
        if (trial % 3 == 0)
          c = static_cast<double>(rng() % 4);  // many ties
        else
          c = std::uniform_real_distribution<double>(0, 10)(rng);
      }
      const double best = brute_force(cost, n);
      for (auto start : {AssignmentStart::kColumnReduction, AssignmentStart::kAuction}) {
        const auto solution = solve_assignment(cost, n, start);
        REQUIRE(is_permutation(solution.row_to_col));
        REQUIRE(solution.cost == Approx(best).margin(1e-9));
        REQUIRE(max_dual_violation(cost, solution) < 1e-12);
      }
    }
  }
  SECTION("n = 2000 geometric costs (long augmenting paths): both starts agree and carry a dual certificate") {
    const int64_t n = 2000;
    auto gen = make_generator(3);
    const auto a = at::randn({n, 2}, gen, at::kDouble), b = at::randn({n, 2}, gen, at::kDouble) * 0.5 + 1.0;
    const auto c = squared_distances(a, b).contiguous();
    const std::vector<double> cost(c.data_ptr<double>(), c.data_ptr<double>() + n * n);
    const auto auction = solve_assignment(cost, n, AssignmentStart::kAuction);
    const auto classic = solve_assignment(cost, n, AssignmentStart::kColumnReduction);
    REQUIRE(is_permutation(auction.row_to_col));
    CHECK(auction.cost == Approx(classic.cost).epsilon(1e-12));
    // Weak duality: a feasible dual whose sum equals the primal cost proves the assignment optimal.
    CHECK(max_dual_violation(cost, auction) < 1e-9);
    CHECK(dual_objective(auction) == Approx(auction.cost).epsilon(1e-12));
  }
  SECTION("non-finite costs are refused") {
    std::vector<double> cost(16, 1.0);
    cost[5] = std::nan("");
    CHECK_THROWS_WITH(solve_assignment(cost, 4), Catch::Contains("finite"));
  }
  SECTION("large random Euclidean problem: a permutation no costlier than identity or random permutations") {
    const int64_t n = 400;
    auto gen = make_generator(1);
    const auto a = at::randn({n, 5}, gen, at::kDouble), b = at::randn({n, 5}, gen, at::kDouble);
    const auto c = squared_distances(a, b).contiguous();
    const std::vector<double> cost(c.data_ptr<double>(), c.data_ptr<double>() + n * n);
    const auto solution = solve_assignment(cost, n);
    REQUIRE(is_permutation(solution.row_to_col));
    std::vector<int64_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    for (int k = 0; k < 20; ++k) {
      double other = 0;
      for (int64_t i = 0; i < n; ++i) other += cost[i * n + perm[i]];
      CHECK(solution.cost <= other + 1e-9);
      std::shuffle(perm.begin(), perm.end(), rng);
    }
  }
}

TEST_CASE("exact W2: closed form for Gaussians and exact values on small sets", "[ot][metrics]") {
  auto gen = make_generator(2);
  SECTION("a set against a translated copy of itself has W2 = |shift|") {
    const auto a = at::randn({300, 3}, gen, at::kDouble);
    const auto shift = at::tensor({1.0, -2.0, 0.5}, at::kDouble);
    CHECK(exact_w2(a, a + shift) == Approx(std::sqrt(1 + 4 + 0.25)).epsilon(1e-9));
    // The expanded-norm cost carries ~1e-15 rounding, which the square root lifts to ~1e-8.
    CHECK(exact_w2(a, a.flip(0)) == Approx(0.0).margin(1e-6));
    auto broken = a.clone();
    broken[3][1] = std::numeric_limits<double>::infinity();
    CHECK(std::isnan(exact_w2(a, broken)));
  }
  SECTION("two Gaussians with n = 2000: W2^2 = |m1 - m2|^2 + (s1 - s2)^2 d for isotropic covariances") {
    const int64_t n = 2000;
    const auto a = at::randn({n, 2}, gen, at::kDouble);
    const auto b = at::randn({n, 2}, gen, at::kDouble) * 2.0 + at::tensor({3.0, 4.0}, at::kDouble);
    const double exact = std::sqrt(25.0 + 2 * 1.0);
    // Finite-sample bias of the empirical W2 in 2-D at n = 2000 is a few percent at most.
    CHECK(exact_w2(a, b) == Approx(exact).epsilon(0.03));
  }
  SECTION("one dimension: W2 equals the sorted matching") {
    const auto a = at::randn({500, 1}, gen, at::kDouble), b = at::rand({500, 1}, gen, at::kDouble);
    const auto sa = std::get<0>(a.flatten().sort()), sb = std::get<0>(b.flatten().sort());
    CHECK(exact_w2(a, b) == Approx(std::sqrt((sa - sb).pow(2).mean().item<double>())).epsilon(1e-9));
  }
}
