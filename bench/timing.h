// Wall-clock timing shared by the benchmark programs.
#pragma once

#include <chrono>
#include <functional>

namespace gftlab::bench {

// Seconds of one call of f.
inline double seconds_once(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Mean seconds per call of f over `repeats` calls, after one warm-up call.
inline double seconds_of(const std::function<void()>& f, int repeats) {
  f();
  return seconds_once([&] {
           for (int r = 0; r < repeats; ++r) f();
         }) /
         repeats;
}

}  // namespace gftlab::bench
