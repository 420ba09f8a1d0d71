// Wall-clock timing shared by the benchmark programs.
#pragma once

#include <chrono>
#include <functional>

namespace gftlab::bench {

// Mean seconds per call of f over `repeats` calls, after one warm-up call.
inline double seconds_of(const std::function<void()>& f, int repeats) {
  f();
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; ++r) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / repeats;
}

}  // namespace gftlab::bench
