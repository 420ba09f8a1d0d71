#include "core/rng.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/sha256.h"

namespace gftlab {

uint64_t derive_seed(uint64_t seed, const std::string& purpose) {
  const std::string digest = sha256_hex(std::to_string(seed) + "/" + purpose);
  return std::stoull(digest.substr(0, 15), nullptr, 16);
}

at::Generator make_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

at::Generator make_generator(uint64_t seed, const std::string& purpose) {
  return make_generator(derive_seed(seed, purpose));
}

}  // namespace gftlab
