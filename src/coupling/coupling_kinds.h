// The couplings of coupling.kind, one row each: adding a coupling is a row (coupling.cpp), its class and its test
// (tests/test_couplings.cpp loops over the rows). Free of LibTorch, for the schema.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class Coupling;

struct CouplingKind {
  std::string name;
  std::unique_ptr<Coupling> (*make)(const Config& cfg);  // reads the kind's coupling.* keys
};

const std::vector<CouplingKind>& coupling_kinds();
std::vector<std::string> coupling_kind_names();
const CouplingKind& coupling_kind(const Config& cfg);  // the row of coupling.kind

}  // namespace gftlab
