// Path statistics of a sampled trajectory (docs/method.md, "Measurements"), accumulated per sample during solving.
#pragma once

#include <map>
#include <string>

#include "sampler/sampler.h"

namespace gftlab {

class PathStats : public StepObserver {
 public:
  void on_step(double t, double dt, const at::Tensor& x, const at::Tensor& v, const at::Tensor& x_next) override;
  // path_length, kinetic_energy, straightness, path_ratio (path length / displacement); batch means.
  std::map<std::string, double> summary(const at::Tensor& x0, const at::Tensor& x1) const;

 private:
  at::Tensor length_, kinetic_, displacement_integral_;  // per sample; the last is int v dt
};

}  // namespace gftlab
