#include "metrics/diversity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/sample_distances.h"

namespace gftlab {
namespace {

constexpr int64_t kBlockRows = 1024;
// Pairs used for the median distance: a heuristic bandwidth does not need 10^8 pairs.
constexpr int64_t kMedianSamples = 2000;

// Calls f(first_row, squared distances of rows [first_row, first_row + b) of a to all rows of b).
template <class F>
void for_each_block(const at::Tensor& a, const at::Tensor& b, F&& f) {
  for (int64_t i = 0; i < a.size(0); i += kBlockRows) {
    const int64_t rows = std::min(kBlockRows, a.size(0) - i);
    f(i, squared_distances(a.narrow(0, i, rows), b));
  }
}

// Per row of a: how many samples of b have a ball (squared radius b_radius) that contains it.
at::Tensor balls_containing(const at::Tensor& a, const at::Tensor& b, const at::Tensor& b_radius) {
  auto counts = at::empty({a.size(0)}, at::kLong);
  for_each_block(a, b, [&](int64_t i, const at::Tensor& d) {
    counts.narrow(0, i, d.size(0)).copy_(d.le(b_radius.unsqueeze(0)).sum(1));
  });
  return counts;
}

double entropy_exp(const at::Tensor& eigenvalues) {
  auto l = eigenvalues.clamp_min(0);
  l = l / l.sum();
  const auto positive = l.masked_select(l.gt(0));
  return std::exp(-(positive * positive.log()).sum().item<double>());
}

void require_rows(const at::Tensor& x, int64_t n, const char* what) {
  if (x.size(0) < n) throw std::invalid_argument(std::string(what) + ": too few samples");
}

}  // namespace

at::Tensor kth_neighbour_sq_radius(const at::Tensor& x, int64_t k) {
  require_rows(x, k + 1, "k-nearest-neighbour radius");
  auto radius = at::empty({x.size(0)}, at::kDouble);
  // The k + 1 smallest distances include the sample itself (0), so the last of them is the k-th neighbour.
  for_each_block(x, x, [&](int64_t i, const at::Tensor& d) {
    radius.narrow(0, i, d.size(0)).copy_(std::get<0>(d.topk(k + 1, 1, false, true)).select(1, k));
  });
  return radius;
}

ManifoldReference manifold_reference(const at::Tensor& real, int64_t k_pr, int64_t k_dc) {
  ManifoldReference ref;
  ref.points = flat64(real);
  ref.radius_pr = kth_neighbour_sq_radius(ref.points, k_pr);
  ref.radius_dc = kth_neighbour_sq_radius(ref.points, k_dc);
  ref.k_pr = k_pr;
  ref.k_dc = k_dc;
  return ref;
}

ManifoldScores manifold_scores(const ManifoldReference& real, const at::Tensor& generated) {
  const auto& r = real.points;
  const auto g = flat64(generated);
  const auto gen_pr = kth_neighbour_sq_radius(g, real.k_pr);
  ManifoldScores s;
  s.precision = balls_containing(g, r, real.radius_pr).gt(0).to(at::kDouble).mean().item<double>();
  s.recall = balls_containing(r, g, gen_pr).gt(0).to(at::kDouble).mean().item<double>();
  s.density =
      balls_containing(g, r, real.radius_dc).to(at::kDouble).sum().item<double>() / double(real.k_dc * g.size(0));
  // Coverage: a real sample counts when its own ball holds its nearest generated sample.
  auto nearest = at::empty({r.size(0)}, at::kDouble);
  for_each_block(r, g,
                 [&](int64_t i, const at::Tensor& d) { nearest.narrow(0, i, d.size(0)).copy_(std::get<0>(d.min(1))); });
  s.coverage = nearest.le(real.radius_dc).to(at::kDouble).mean().item<double>();
  return s;
}

ManifoldScores manifold_scores(const at::Tensor& real, const at::Tensor& generated, int64_t k_pr, int64_t k_dc) {
  return manifold_scores(manifold_reference(real, k_pr, k_dc), generated);
}

double vendi_score(const at::Tensor& x, VendiKernel kernel, double bandwidth) {
  const auto f = flat64(x);
  const double n = double(f.size(0));
  if (kernel == VendiKernel::kCosine) {
    const auto u = f / f.norm(2, 1, true).clamp_min(1e-300);
    // K / n and u^T u / n share their non-zero eigenvalues; take the smaller matrix.
    const auto gram = u.size(1) < u.size(0) ? at::matmul(u.t(), u) : at::matmul(u, u.t());
    return entropy_exp(at::linalg_eigvalsh(gram / n));
  }
  if (!(bandwidth > 0)) throw std::invalid_argument("Vendi RBF bandwidth must be positive");
  const auto k = at::exp(squared_distances(f, f) / (-2.0 * bandwidth * bandwidth));
  return entropy_exp(at::linalg_eigvalsh(k / n));
}

double mean_pairwise_distance(const at::Tensor& x) {
  const auto f = flat64(x);
  const int64_t n = f.size(0);
  require_rows(f, 2, "mean pairwise distance");
  double total = 0;
  for_each_block(f, f, [&](int64_t i, const at::Tensor& d) {
    // The diagonal is zero by definition; rounding in |x|^2 + |y|^2 - 2xy would make it 1e-8.
    total += d.sqrt().sum().item<double>() - d.diagonal(i).sqrt().sum().item<double>();
  });
  return total / double(n * (n - 1));
}

double median_pairwise_distance(const at::Tensor& x) {
  const auto f = flat64(x).narrow(0, 0, std::min<int64_t>(x.size(0), kMedianSamples));
  require_rows(f, 2, "median pairwise distance");
  const auto d = squared_distances(f, f);
  const auto upper = at::ones_like(d, at::kBool).triu(1);
  return d.masked_select(upper).sqrt().median().item<double>();
}

}  // namespace gftlab
