#include "coupling/coupling.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "core/config.h"
#include "core/names.h"
#include "ot/cost.h"
#include "ot/assignment.h"

namespace gftlab {
namespace {

constexpr int64_t kSinkhornCheckEvery = 10;
// A scaling above this is folded into the log potentials before it can overflow (POT's default tau).
constexpr double kSinkhornAbsorbAbove = 1e3;

// The re-paired batch with its cost relative to the identity pairing of (x0, x1).
Pairing repaired(at::Tensor new_x0, at::Tensor new_x1, const at::Tensor& x0, const at::Tensor& x1) {
  Pairing out{std::move(new_x0), std::move(new_x1), {}};
  out.series.push_back(pairing_cost(out.x0, out.x1) / pairing_cost(x0, x1));
  return out;
}

// The pairs (x0[i], x1[j]) for index tensors i and j, with the cost ratio and the distinct fraction.
Pairing sampled_pairs(const at::Tensor& x0, const at::Tensor& x1, const at::Tensor& i, const at::Tensor& j) {
  Pairing out = repaired(x0.index_select(0, i), x1.index_select(0, j), x0, x1);
  const double distinct =
      static_cast<double>(std::get<0>(at::_unique(i)).numel() + std::get<0>(at::_unique(j)).numel());
  out.series.push_back(at::scalar_tensor(distinct / static_cast<double>(2 * x0.size(0)), at::kDouble));
  return out;
}

}  // namespace

at::Tensor pairing_cost(const at::Tensor& x0, const at::Tensor& x1) { return (flat64(x0) - flat64(x1)).pow(2).sum(); }

Pairing IndependentCoupling::pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator&) const {
  return {x0, x1, {at::scalar_tensor(1.0, at::kDouble)}};
}

at::Tensor OtCoupling::optimal_permutation(const at::Tensor& x0, const at::Tensor& x1) {
  const int64_t n = x0.size(0);
  // Row and column norms add the same amount to every permutation's cost: the cross term decides alone,
  // and it carries no cancellation error.
  const auto cross = (at::matmul(flat64(x0), flat64(x1).t()) * -2.0).contiguous();
  const double* p = cross.data_ptr<double>();
  const auto solution = solve_assignment(std::vector<double>(p, p + n * n), n);
  return at::tensor(solution.row_to_col, at::kLong);
}

std::vector<std::string> OtCoupling::series_names() const {
  if (!sampled_) return Coupling::series_names();
  return {"coupling_cost_ratio", "coupling_distinct_fraction"};
}

Pairing OtCoupling::pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const {
  const auto perm = optimal_permutation(x0, x1);
  if (sampled_) {
    const auto rows = at::randint(0, x0.size(0), {x0.size(0)}, gen, at::kLong);
    return sampled_pairs(x0, x1, rows, perm.index_select(0, rows));
  }
  return repaired(x0, x1.index_select(0, perm), x0, x1);
}

SinkhornCoupling::Plan SinkhornCoupling::solve(const at::Tensor& x0, const at::Tensor& x1) const {
  const int64_t n = x0.size(0);
  const auto cost = squared_distances(x0, x1);
  const double reg = eps_ * cost.mean().item<double>();
  if (reg == 0.0) return {at::eye(n, at::kDouble) / n, 0.0, true};  // all samples coincide: any plan is optimal
  const auto scaled = cost / -reg;
  const double mass = 1.0 / static_cast<double>(n);
  // One log-domain sweep first, so that no row of the kernel underflows whole; then the cheap scaling
  // iterations (two matrix-vector products), whose scalings u, v are absorbed into the log potentials
  // f, g whenever they grow, as in Schmitzer's stabilised Sinkhorn (POT's sinkhorn_stabilized).
  auto f = std::log(mass) - at::logsumexp(scaled, 1);
  auto g = std::log(mass) - at::logsumexp(scaled + f.unsqueeze(1), 0);
  const auto kernel_of = [&] { return (scaled + f.unsqueeze(1) + g.unsqueeze(0)).exp(); };
  auto kernel = kernel_of();
  auto u = at::ones({n}, at::kDouble), v = at::ones({n}, at::kDouble);
  double residual = std::numeric_limits<double>::infinity();
  for (int64_t it = 2; it <= max_iters_; ++it) {
    u = mass / at::mv(kernel, v);
    v = mass / at::mv(kernel.t(), u);
    // After the v update the columns are exact; the rows measure convergence.
    if (it % kSinkhornCheckEvery == 0 || it == max_iters_) {
      residual = (u * at::mv(kernel, v) - mass).abs().sum().item<double>();
      if (residual < tol_) break;
    }
    if (std::max(u.max().item<double>(), v.max().item<double>()) > kSinkhornAbsorbAbove) {
      f += u.log();
      g += v.log();
      kernel = kernel_of();
      u.fill_(1.0);
      v.fill_(1.0);
    }
  }
  return {u.unsqueeze(1) * kernel * v.unsqueeze(0), residual, residual < tol_};
}

std::vector<std::string> SinkhornCoupling::series_names() const {
  return {"coupling_cost_ratio", "coupling_distinct_fraction", "coupling_converged"};
}

Pairing SinkhornCoupling::pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const {
  const int64_t n = x0.size(0);
  const auto solved = solve(x0, x1);
  if (!solved.converged && !warned_) {
    warned_ = true;
    fmt::print(stderr,
               "gftlab: warning: Sinkhorn did not converge within coupling.max_iters = {} (row error {:.3g} >= "
               "coupling.tol = {:.3g}); its plan is used as it is, and /train/coupling_converged records every step\n",
               max_iters_, solved.residual, tol_);
  }
  const auto flat = at::multinomial(solved.plan.flatten(), n, /*replacement=*/true, gen);
  auto pairing = sampled_pairs(x0, x1, at::div(flat, n, "floor"), at::remainder(flat, n));
  pairing.series.push_back(at::scalar_tensor(solved.converged ? 1.0 : 0.0, at::kDouble));
  return pairing;
}

const std::vector<CouplingKind>& coupling_kinds() {
  static const std::vector<CouplingKind> kinds = {
      {"independent",
       [](const Config&) -> std::unique_ptr<Coupling> { return std::make_unique<IndependentCoupling>(); }},
      {"ot", [](const Config&) -> std::unique_ptr<Coupling> { return std::make_unique<OtCoupling>(false); }},
      {"ot_sampled", [](const Config&) -> std::unique_ptr<Coupling> { return std::make_unique<OtCoupling>(true); }},
      {"sinkhorn",
       [](const Config& cfg) -> std::unique_ptr<Coupling> {
         return std::make_unique<SinkhornCoupling>(cfg.get_float("coupling.eps"), cfg.get_int("coupling.max_iters"),
                                                   cfg.get_float("coupling.tol"));
       }},
  };
  return kinds;
}

std::vector<std::string> coupling_kind_names() { return kind_names(coupling_kinds()); }

const CouplingKind& coupling_kind(const Config& cfg) {
  return kind_named(coupling_kinds(), cfg.get_string("coupling.kind"));
}

std::unique_ptr<Coupling> make_coupling(const Config& cfg) { return coupling_kind(cfg).make(cfg); }

}  // namespace gftlab
