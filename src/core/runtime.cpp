#include "core/runtime.h"

#include <ATen/Parallel.h>
#include <hdf5.h>
#include <torch/version.h>
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <thread>

namespace gftlab {
namespace {

std::string run_command(const std::string& cmd) {
  std::array<char, 512> buf{};
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

int set_threads(int requested) {
  const int n = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
  return at::get_num_threads();
}

void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest: only huge buffers are mapped and unmapped
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TOP_PAD, 64 << 20);
}

namespace {

// The OpenBLAS entry points, looked up at run time: the process may have loaded another BLAS.
template <class F>
F* openblas_function(const char* name) {
  return reinterpret_cast<F*>(::dlsym(RTLD_DEFAULT, name));
}

// OpenBLAS's own fallback order for a CPU it does not recognise (driver/others/dynamic.c), except that
// 0.3.21 cannot force "Cooperlake" by name; its float32 GEMM is SkylakeX's anyway.
const char* best_openblas_core() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  if (__builtin_cpu_supports("avx")) return "SandyBridge";
  return nullptr;
}

}  // namespace

std::string blas_core() {
  const auto corename = openblas_function<char*()>("openblas_get_corename");
  return corename ? corename() : "";
}

std::string select_blas_kernel() {
  const auto quit = openblas_function<void()>("gotoblas_dynamic_quit");
  const auto init = openblas_function<void()>("gotoblas_dynamic_init");
  const char* better = best_openblas_core();
  if (blas_core() != "Prescott" || std::getenv("OPENBLAS_CORETYPE") || !quit || !init || !better) return blas_core();
  // What OPENBLAS_CORETYPE does when set before start-up: drop the detected kernel table, force another.
  // The variable is removed again, so child processes make the same choice themselves.
  ::setenv("OPENBLAS_CORETYPE", better, 0);
  quit();
  init();
  ::unsetenv("OPENBLAS_CORETYPE");
  return blas_core();
}

std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find("libblas") != std::string::npos || path.find("libopenblas") != std::string::npos) return path;
  }
  return "";
}

std::string blas_warning() {
  const std::string blas = loaded_blas();
  if (blas.empty() || blas.find("openblas") != std::string::npos) return "";
  return fmt::format(
      "warning: LibTorch uses the reference BLAS ({}), about 15x slower; install libopenblas0-openmp "
      "(not -pthread): sudo apt-get install --no-install-recommends libopenblas0-openmp",
      blas);
}

Provenance collect_provenance() {
  Provenance p;
  const std::string git = fmt::format("git -C '{}' ", GFTLAB_SOURCE_DIR);
  const std::string commit = run_command(git + "rev-parse --verify -q HEAD 2>/dev/null");
  if (!commit.empty()) {
    p.git_commit = commit;
    p.git_dirty = !run_command(git + "status --porcelain --untracked-files=no 2>/dev/null").empty();
  }
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  p.host = host.data();
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  p.versions = {{"gftlab", GFTLAB_VERSION},
                {"libtorch", fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH)},
                {"hdf5", fmt::format("{}.{}.{}", major, minor, release)},
                {"yaml-cpp", GFTLAB_YAML_CPP_VERSION},
                {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
                {"compiler", __VERSION__},
                {"blas", loaded_blas()},
                {"blas_core", blas_core()}};
  return p;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

}  // namespace gftlab
