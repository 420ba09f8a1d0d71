// Seeded random generators. Every random draw in a run comes from a generator derived from the run's
// seed and a purpose name, so adding a draw for one purpose never shifts the stream of another.
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>
#include <string>

namespace gftlab {

uint64_t derive_seed(uint64_t seed, const std::string& purpose);
at::Generator make_generator(uint64_t seed);
at::Generator make_generator(uint64_t seed, const std::string& purpose);

}  // namespace gftlab
