#include "method/method_names.h"

#include <fmt/format.h>

#include "core/config.h"
#include "core/names.h"
#include "coupling/coupling_kinds.h"

namespace gftlab {

std::vector<std::string> method_names() { return kind_names(method_kinds()); }

const MethodKind& method_kind(const Config& cfg) { return kind_named(method_kinds(), cfg.get_string("method.name")); }

void check_method_coupling(const Config& cfg) {
  // A reward method starts its trajectories from noise alone and never sees a coupled target batch: another
  // coupling would only cost an assignment per step (and with ot_sampled/sinkhorn redraw the noise).
  if (method_kind(cfg).reward_based && coupling_kind(cfg).name != "independent")
    throw cfg.error("coupling.kind", fmt::format("`{}` draws no target batches, so a coupling has nothing to pair: "
                                                 "use `independent` (in a sweep, let the arm drop the coupling axis: "
                                                 "`drop: [coupling.kind]`)",
                                                 cfg.get_string("method.name")));
}

const std::vector<std::string>& time_weight_names() {
  static const std::vector<std::string> names = {"uniform", "t", "one_minus_t"};
  return names;
}

}  // namespace gftlab
