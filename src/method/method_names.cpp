#include "method/method_names.h"

#include <fmt/format.h>

#include "core/config.h"
#include "core/names.h"

namespace gftlab {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"standard", "scratch",          "gft",
                                                 "gft_marginal", "l2sp", "adjoint_matching",
                                                 "adjoint_deterministic"};
  return names;
}

MethodKind method_kind(const Config& cfg) {
  return enum_from_name<MethodKind>(cfg.get_string("method.name"), method_names());
}

bool is_reward_method(MethodKind kind) {
  return kind == MethodKind::kAdjointMatching || kind == MethodKind::kAdjointDeterministic;
}

void check_method_coupling(const Config& cfg) {
  // A reward method starts its trajectories from noise alone and never sees a coupled target batch: another
  // coupling would only cost an assignment per step (and with ot_sampled/sinkhorn redraw the noise).
  if (is_reward_method(method_kind(cfg)) && cfg.get_string("coupling.kind") != "independent")
    throw cfg.error("coupling.kind", fmt::format("`{}` draws no target batches, so a coupling has nothing to pair: "
                                                 "use `independent` (in a sweep, let the arm drop the coupling axis: "
                                                 "`drop: [coupling.kind]`)", cfg.get_string("method.name")));
}

const std::vector<std::string>& time_weight_names() {
  static const std::vector<std::string> names = {"uniform", "t", "one_minus_t"};
  return names;
}

}  // namespace gftlab
