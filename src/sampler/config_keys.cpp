#include "sampler/config_keys.h"

#include "core/schema_builders.h"
#include "sampler/sampler_kinds.h"

namespace gftlab {

void add_sampler_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(choice("eval.sampler.kind", "euler", sampler_kind_names(),
                        "sampler for the quality metrics: an ODE solver, or the SDE of docs/method.md (Sampling)"));
  keys.push_back(integer("eval.sampler.steps", 100, "steps of the fixed-step solvers", kAtLeastOne));
  keys.push_back(number("eval.sampler.g", 1.0, "`euler_maruyama`: diffusion scale g", kNonNegative));
  keys.push_back(choice("eval.sampler.g_shape", "constant", {"constant", "bridge"},
                        "`euler_maruyama`: g(t) = g, or g * 2 sqrt(t (1 - t)) (zero at both ends)"));
  keys.push_back(number("eval.sampler.t_margin", 1e-3, "`euler_maruyama`: integrate to t = 1 - t_margin", {0.0, 0.5}));
  keys.push_back(number("eval.sampler.atol", 1e-5, "dopri5 absolute tolerance (also for adaptive_nfe)", kPositive));
  keys.push_back(number("eval.sampler.rtol", 1e-5, "dopri5 relative tolerance (also for adaptive_nfe)", kPositive));
}

}  // namespace gftlab
