// Probability path: how (x0, x1, t) become the training input x_t and the regression target u.
#pragma once

#include <ATen/ATen.h>

namespace gftlab {

class Config;

struct PathSample {
  at::Tensor xt;  // interpolant at time t
  at::Tensor u;   // conditional velocity
};

class Path {
 public:
  virtual ~Path() = default;
  virtual PathSample sample(const at::Tensor& x0, const at::Tensor& x1, const at::Tensor& t,
                            at::Generator& gen) const = 0;
};

// x_t = t*x1 + (1-t)*x0 + sigma*eps, u = x1 - x0 (docs/method.md, "Setting").
class LinearPath : public Path {
 public:
  explicit LinearPath(double sigma) : sigma_(sigma) {}
  PathSample sample(const at::Tensor& x0, const at::Tensor& x1, const at::Tensor& t, at::Generator& gen) const override;
  double sigma() const { return sigma_; }

 private:
  double sigma_;
};

// The path of path.sigma.
LinearPath make_path(const Config& cfg);

// t [B] reshaped to broadcast against a batch shaped like `like`.
at::Tensor broadcast_time(const at::Tensor& t, const at::Tensor& like);

}  // namespace gftlab
