#include "metrics/sample_distances.h"

#include <cmath>
#include <stdexcept>

#include "ot/assignment.h"

namespace gftlab {
namespace {

void require_equal_sizes(const at::Tensor& a, const at::Tensor& b) {
  if (a.size(0) != b.size(0)) throw std::invalid_argument("sample sets must have equal sizes");
}

}  // namespace

double exact_w2(const at::Tensor& a, const at::Tensor& b) {
  require_equal_sizes(a, b);
  const int64_t n = a.size(0);
  const auto cost = squared_distances(a, b).contiguous();
  // Samples from a blown-up model: the distance is undefined, not an error that should end the run.
  if (!at::isfinite(cost).all().item<bool>()) return std::nan("");
  const double* p = cost.data_ptr<double>();
  const auto solution = solve_assignment(std::vector<double>(p, p + n * n), n);
  return std::sqrt(solution.cost / static_cast<double>(n));
}

double sliced_w2(const at::Tensor& a, const at::Tensor& b, int64_t projections, at::Generator& gen) {
  require_equal_sizes(a, b);
  const auto x = flat64(a), y = flat64(b);
  auto dirs = at::randn({x.size(1), projections}, gen, at::kDouble);
  dirs = dirs / dirs.norm(2, 0, true);
  const auto px = std::get<0>(at::matmul(x, dirs).sort(0));
  const auto py = std::get<0>(at::matmul(y, dirs).sort(0));
  return std::sqrt((px - py).pow(2).mean().item<double>());
}

namespace {

// Mean of a square matrix over i != j: the U-statistic's within-set term (the diagonal, a sample with
// itself, is what biases the V-statistic).
double off_diagonal_mean(const at::Tensor& m) {
  const double n = static_cast<double>(m.size(0));
  return (m.sum() - m.diagonal().sum()).item<double>() / (n * (n - 1.0));
}

void require_two_each(const at::Tensor& a, const at::Tensor& b) {
  if (a.size(0) < 2 || b.size(0) < 2) throw std::invalid_argument("U-statistics need at least two samples per set");
}

}  // namespace

std::vector<double> rbf_within_means(const at::Tensor& x, const std::vector<double>& bandwidths) {
  const auto d = squared_distances(x, x);
  std::vector<double> out;
  for (double s : bandwidths) out.push_back(off_diagonal_mean(at::exp(d * (-1.0 / (2.0 * s * s)))));
  return out;
}

double within_mean_distance(const at::Tensor& x) { return off_diagonal_mean(squared_distances(x, x).sqrt()); }

double mmd2_rbf(const at::Tensor& a, const at::Tensor& b, const std::vector<double>& bandwidths,
                const std::vector<double>& b_within) {
  require_two_each(a, b);
  const auto a_within = rbf_within_means(a, bandwidths);
  const auto dab = squared_distances(a, b);
  double total = 0.0;
  for (size_t k = 0; k < bandwidths.size(); ++k) {
    const double scale = -1.0 / (2.0 * bandwidths[k] * bandwidths[k]);
    total += a_within[k] + b_within[k] - 2.0 * at::exp(dab * scale).mean().item<double>();
  }
  return total;
}

double mmd2_rbf(const at::Tensor& a, const at::Tensor& b, const std::vector<double>& bandwidths) {
  require_two_each(a, b);
  return mmd2_rbf(a, b, bandwidths, rbf_within_means(b, bandwidths));
}

double energy_distance(const at::Tensor& a, const at::Tensor& b, double b_within) {
  require_two_each(a, b);
  return 2.0 * squared_distances(a, b).sqrt().mean().item<double>() - within_mean_distance(a) - b_within;
}

double energy_distance(const at::Tensor& a, const at::Tensor& b) {
  require_two_each(a, b);
  return energy_distance(a, b, within_mean_distance(b));
}

}  // namespace gftlab
