// The test process's own scratch directory, removed when the process ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace gftlab::testing {

inline std::filesystem::path scratch_dir() {
  return std::filesystem::temp_directory_path() / ("gftlab-test-" + std::to_string(getpid()));
}

// `name` inside the scratch directory, which is created on first use.
inline std::string scratch_path(const std::string& name) {
  std::filesystem::create_directories(scratch_dir());
  return (scratch_dir() / name).string();
}

}  // namespace gftlab::testing
