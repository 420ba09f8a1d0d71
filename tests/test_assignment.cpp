#include "testing.h"

#include <algorithm>
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
        if (trial % 3 == 0) c = static_cast<double>(rng() % 4);  // many ties
        else c = std::uniform_real_distribution<double>(0, 10)(rng);
      }
      const auto solution = solve_assignment(cost, n);
      REQUIRE(is_permutation(solution.row_to_col));
      REQUIRE(solution.cost == Approx(brute_force(cost, n)).margin(1e-9));
    }
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
