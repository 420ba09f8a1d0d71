#include "coupling/config_keys.h"

#include "core/schema_builders.h"
#include "coupling/coupling_kinds.h"

namespace gftlab {

void add_coupling_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(choice("coupling.kind", "independent", coupling_kind_names(),
                        "pairing of x0 and x1 in a batch (docs/method.md: Couplings)"));
  keys.push_back(number("coupling.eps", 0.05,
                        "`sinkhorn`: entropic regularisation, as a fraction of the batch's mean cost", kPositive));
  keys.push_back(integer("coupling.max_iters", 2000, "`sinkhorn`: iteration limit", kAtLeastOne));
  keys.push_back(number("coupling.tol", 1e-6, "`sinkhorn`: stop when the L1 marginal error is below this", kPositive));
}

}  // namespace gftlab
