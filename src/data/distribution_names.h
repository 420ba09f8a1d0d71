#pragma once

#include <string>
#include <vector>

namespace gftlab {

inline std::vector<std::string> toy_kinds() {
  return {"8gaussians", "moons", "checkerboard", "circles", "spirals", "swissroll"};
}

inline std::vector<std::string> distribution_kinds() {
  auto kinds = toy_kinds();
  kinds.push_back("gmm");
  kinds.push_back("gmm_random");
  kinds.push_back("fashion_mnist");
  kinds.push_back("files");
  return kinds;
}

}  // namespace gftlab
