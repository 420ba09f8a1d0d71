#include "coupling/coupling.h"

#include "core/config.h"

namespace gftlab {

std::unique_ptr<Coupling> make_coupling(const Config& cfg) {
  const auto& kind = cfg.get_string("coupling.kind");
  if (kind == "independent") return std::make_unique<IndependentCoupling>();
  throw cfg.error("coupling.kind", "unsupported coupling " + kind);
}

}  // namespace gftlab
