#include "path/config_keys.h"

#include "core/schema_builders.h"

namespace gftlab {

void add_path_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(number("path.sigma", 0.0, "std of the noise added to the interpolant x_t", kNonNegative));
}

}  // namespace gftlab
