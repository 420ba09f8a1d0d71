#include "testing.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "metrics/diversity.h"

using namespace gftlab;

namespace {

double sq_dist(const at::Tensor& a, int64_t i, const at::Tensor& b, int64_t j) {
  return (a[i] - b[j]).pow(2).sum().item<double>();
}

// Squared distance to the k-th nearest other sample, by sorting every distance.
std::vector<double> brute_radius(const at::Tensor& x, int64_t k) {
  std::vector<double> out;
  for (int64_t i = 0; i < x.size(0); ++i) {
    std::vector<double> d;
    for (int64_t j = 0; j < x.size(0); ++j)
      if (j != i) d.push_back(sq_dist(x, i, x, j));
    std::sort(d.begin(), d.end());
    out.push_back(d[k - 1]);
  }
  return out;
}

// The definitions of Kynkäänniemi et al. and Naeem et al., written as loops.
ManifoldScores brute_scores(const at::Tensor& real, const at::Tensor& gen) {
  const auto r3 = brute_radius(real, 3), g3 = brute_radius(gen, 3), r5 = brute_radius(real, 5);
  const int64_t n = real.size(0), m = gen.size(0);
  ManifoldScores s;
  for (int64_t j = 0; j < m; ++j) {
    bool inside = false;
    for (int64_t i = 0; i < n; ++i) {
      inside = inside || sq_dist(gen, j, real, i) <= r3[i];
      s.density += sq_dist(gen, j, real, i) <= r5[i];
    }
    s.precision += inside;
  }
  for (int64_t i = 0; i < n; ++i) {
    bool recalled = false, covered = false;
    for (int64_t j = 0; j < m; ++j) {
      recalled = recalled || sq_dist(real, i, gen, j) <= g3[j];
      covered = covered || sq_dist(real, i, gen, j) <= r5[i];
    }
    s.recall += recalled;
    s.coverage += covered;
  }
  s.precision /= m;
  s.density /= 5.0 * m;
  s.recall /= n;
  s.coverage /= n;
  return s;
}

void check_equal(const ManifoldScores& a, const ManifoldScores& b) {
  CHECK(a.precision == Approx(b.precision).margin(1e-12));
  CHECK(a.recall == Approx(b.recall).margin(1e-12));
  CHECK(a.density == Approx(b.density).margin(1e-12));
  CHECK(a.coverage == Approx(b.coverage).margin(1e-12));
}

}  // namespace

TEST_CASE("diversity: precision, recall, density, coverage, Vendi and pairwise distance on known cases",
          "[metrics][diversity]") {
  auto gen = make_generator(11);
  const auto real = at::randn({40, 2}, gen, at::kDouble);
  SECTION("manifold scores equal the definitions computed by brute force") {
    const auto fake = 0.8 * at::randn({33, 2}, gen, at::kDouble) + 0.5;
    check_equal(manifold_scores(real, fake), brute_scores(real, fake));
  }
  SECTION("identical sets: precision, recall and coverage 1, density (k + 1) / k") {
    const auto s = manifold_scores(real, real);
    CHECK(s.precision == 1.0);
    CHECK(s.recall == 1.0);
    CHECK(s.coverage == 1.0);
    CHECK(s.density == Approx(6.0 / 5.0));  // each real ball holds its centre and its 5 neighbours
  }
  SECTION("disjoint clusters: every score is 0") {
    const auto s = manifold_scores(real, real + 100.0);
    CHECK(s.precision == 0.0);
    CHECK(s.recall == 0.0);
    CHECK(s.density == 0.0);
    CHECK(s.coverage == 0.0);
  }
  SECTION("mode collapse onto one real sample: precision 1, recall 1/n") {
    const auto fake = real[7].unsqueeze(0).repeat({20, 1});
    const auto s = manifold_scores(real, fake);
    CHECK(s.precision == 1.0);
    CHECK(s.recall == Approx(1.0 / 40));
    check_equal(s, brute_scores(real, fake));
  }
  SECTION("row blocks: 1100 samples agree with one full distance matrix") {
    const auto a = at::randn({1100, 3}, gen, at::kDouble), b = at::randn({1100, 3}, gen, at::kDouble) + 0.3;
    const auto d = at::cdist(a, a).pow(2);
    const auto expected = std::get<0>(d.topk(4, 1, false, true)).select(1, 3);
    CHECK(at::allclose(kth_neighbour_sq_radius(a, 3), expected, 0, 1e-9));
    const auto dab = at::cdist(b, a).pow(2);
    CHECK(manifold_scores(a, b).precision ==
          Approx(dab.le(expected.unsqueeze(0)).any(1).to(at::kDouble).mean().item<double>()));
    const auto full = at::cdist(a, a);
    CHECK(mean_pairwise_distance(a) == Approx(full.sum().item<double>() / (1100.0 * 1099.0)).epsilon(1e-10));
  }
  SECTION("Vendi: 1 for identical samples, n for orthogonal ones, k for k equal orthogonal clusters") {
    CHECK(vendi_score(at::ones({10, 4}, at::kDouble), VendiKernel::kCosine) == Approx(1.0));
    CHECK(vendi_score(at::eye(6, at::kDouble), VendiKernel::kCosine) == Approx(6.0));
    const auto clusters = at::eye(3, at::kDouble).repeat({4, 1}) * 2.5;  // 12 samples, 3 directions
    CHECK(vendi_score(clusters, VendiKernel::kCosine) == Approx(3.0));
    CHECK(vendi_score(clusters, VendiKernel::kRbf, 1e-3) == Approx(3.0));
    CHECK(vendi_score(real, VendiKernel::kRbf, 1e-3) == Approx(40.0));
    const double wide = vendi_score(real, VendiKernel::kRbf, 100.0);
    CHECK(wide > 1.0);
    CHECK(wide == Approx(1.0).epsilon(0.01));  // at a huge bandwidth every pair looks alike
    // Unequal clusters: eigenvalues 3/4 and 1/4, so Vendi = exp(H(3/4, 1/4)).
    const auto uneven = at::cat({at::eye(2, at::kDouble)[0].repeat({3, 1}), at::eye(2, at::kDouble)[1].unsqueeze(0)});
    CHECK(vendi_score(uneven, VendiKernel::kCosine) ==
          Approx(std::exp(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25)))));
  }
  SECTION("pairwise distances of the unit square's corners") {
    const auto square = at::tensor({0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0}, at::kDouble).view({4, 2});
    CHECK(mean_pairwise_distance(square) == Approx((4.0 + 2.0 * std::sqrt(2.0)) / 6.0));
    CHECK(median_pairwise_distance(square) == Approx(1.0));
  }
}
