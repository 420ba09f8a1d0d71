// Coupling: re-pairs a minibatch (x0, x1) before the path is sampled (docs/method.md, "Couplings"). Every coupling
// reports per-step series: the cost of the pairing it returns over the cost of the identity pairing
// (squared Euclidean, flattened samples) and, for plans sampled with replacement, the fraction of the
// batch's 2B samples that appear in the pairs.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "coupling/coupling_kinds.h"

namespace gftlab {

class Config;

struct Pairing {
  at::Tensor x0, x1;
  std::vector<at::Tensor> series;  // 0-dim float64, in the order of Coupling::series_names()
};

class Coupling {
 public:
  virtual ~Coupling() = default;
  virtual Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const = 0;
  virtual std::vector<std::string> series_names() const { return {"coupling_cost_ratio"}; }
};

class IndependentCoupling : public Coupling {
 public:
  Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const override;
};

// Exact minibatch OT: the optimal permutation (exact assignment). `sampled`: B pairs drawn with replacement
// from that plan instead (the common Python reference's behaviour).
class OtCoupling : public Coupling {
 public:
  explicit OtCoupling(bool sampled) : sampled_(sampled) {}
  Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const override;
  std::vector<std::string> series_names() const override;
  // The optimal x1 index for each x0 row.
  static at::Tensor optimal_permutation(const at::Tensor& x0, const at::Tensor& x1);

 private:
  bool sampled_;
};

// Entropic OT (log-domain stabilised Sinkhorn) with regularisation eps * mean cost; B pairs are drawn
// with replacement from the plan.
class SinkhornCoupling : public Coupling {
 public:
  SinkhornCoupling(double eps, int64_t max_iters, double tol) : eps_(eps), max_iters_(max_iters), tol_(tol) {}
  Pairing pair(const at::Tensor& x0, const at::Tensor& x1, at::Generator& gen) const override;
  std::vector<std::string> series_names() const override;
  struct Plan {
    at::Tensor plan;  // [B, B] float64, total mass 1
    double residual;  // L1 error of the row sums at the last check
    bool converged;   // residual < tol within max_iters
  };
  Plan solve(const at::Tensor& x0, const at::Tensor& x1) const;
  // The entropic plan [B, B] (float64, total mass 1).
  at::Tensor plan(const at::Tensor& x0, const at::Tensor& x1) const { return solve(x0, x1).plan; }

 private:
  double eps_;
  int64_t max_iters_;
  double tol_;
  mutable bool warned_ = false;  // an unconverged plan is reported once per run (and logged every step)
};

// Total squared distance of the pairs (x0[i], x1[i]), float64 0-dim.
at::Tensor pairing_cost(const at::Tensor& x0, const at::Tensor& x1);

// The coupling of coupling.kind (the row of coupling_kinds()).
std::unique_ptr<Coupling> make_coupling(const Config& cfg);

}  // namespace gftlab
