// Include first in every test file: LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#pragma once

#include <ATen/ATen.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scratch.h"

namespace gftlab::testing {

// A tensor as raw float64 values, for the reference scripts under tests/py.
inline void write_raw(const std::string& path, const at::Tensor& x) {
  const auto c = x.to(at::kDouble).contiguous();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(c.data_ptr<double>()), c.numel() * 8);
}

// Raw float64 values written by a reference script, as a float64 tensor of `shape`.
inline at::Tensor read_raw(const std::string& path, at::IntArrayRef shape) {
  auto x = at::empty(shape, at::kDouble);
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.read(reinterpret_cast<char*>(x.data_ptr<double>()), x.numel() * 8));
  return x;
}

// The number a reference script prints on its first line.
inline double run_python(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  char buffer[256] = {0};
  REQUIRE(fgets(buffer, sizeof buffer, pipe.get()) != nullptr);
  return std::stod(buffer);
}

// The folder that `tests/py/<script> write <folder>` filled; call it from one static initialiser per process,
// so that the files are written once.
inline std::string written_by_python(const std::string& script, const std::string& folder) {
  const auto dir = scratch_path(folder);
  const auto command = std::string(GFTLAB_PYTHON) + " " + GFTLAB_TEST_DIR + "/py/" + script + " write " + dir;
  REQUIRE(std::system(command.c_str()) == 0);
  return dir;
}

// The `features.*` settings of the small feature network that the tests' runs compute FD in (CMakeLists.txt:
// GFTLAB_TEST_FEATURE_NET, which the CLI scripts get too): the fixture feature_store trains it in seconds.
// What it reaches on the test split, with a margin (the full-size network: over 90%).
constexpr double kTestFeatureNetAccuracy = 0.80;
inline std::vector<std::string> test_feature_net_keys() {
  std::istringstream words(GFTLAB_TEST_FEATURE_NET);
  std::vector<std::string> keys;
  for (std::string key; words >> key;) keys.push_back(key);
  return keys;
}

}  // namespace gftlab::testing
