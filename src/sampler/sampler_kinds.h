// The samplers of eval.sampler.kind, one row each: adding a sampler is a row (ode_solvers.cpp), its class and its
// test (tests/test_samplers.cpp loops over the rows). Free of LibTorch, for the schema.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class Sampler;

struct SamplerKind {
  std::string name;
  // The sampler configured under `prefix` (e.g. "eval.sampler"); an SDE sampler needs the path's sigma, and
  // `seed` drives its noise.
  std::unique_ptr<Sampler> (*make)(const Config& cfg, const std::string& prefix, double path_sigma, uint64_t seed);
};

const std::vector<SamplerKind>& sampler_kinds();
std::vector<std::string> sampler_kind_names();

}  // namespace gftlab
