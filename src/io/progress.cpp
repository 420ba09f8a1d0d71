#include "io/progress.h"

#include <unistd.h>

#include <cstdio>
#include <fmt/format.h>

#include "core/names.h"
#include "core/schema_builders.h"

namespace gftlab {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{:02}:{:02}", s / 60, s % 60);
}

}  // namespace

Progress::Progress(const std::string& mode_name, std::string label, int64_t total)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)) {
  mode_ = enum_from_name<Mode>(mode_name, schema::progress_mode_names());
  if (mode_ == Mode::kAuto) mode_ = ::isatty(STDERR_FILENO) ? Mode::kBar : Mode::kLines;
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(int64_t done, double loss) {
  if (mode_ == Mode::kNone) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double since = std::chrono::duration<double>(now - last_).count();
  const double eta = done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  if (mode_ == Mode::kBar) {
    if (since < 0.1 && done < total_) return;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "\r%s [%s%s] %lld/%lld loss %.4g  %s<%s ", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), static_cast<long long>(done),
                 static_cast<long long>(total_), loss, clock_text(elapsed).c_str(), clock_text(eta).c_str());
  } else {
    // A line every 10% of the steps, or every 30 s when steps are slow.
    if (done - last_line_done_ < total_ / 10 && since < 30.0 && done < total_) return;
    last_line_done_ = done;
    std::fprintf(stderr, "%s step %lld/%lld loss %.4g elapsed %s eta %s\n", label_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), loss, clock_text(elapsed).c_str(),
                 clock_text(eta).c_str());
  }
  std::fflush(stderr);
  last_ = now;
}

void Progress::finish(const std::string& status) {
  if (mode_ == Mode::kNone) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%s%s %s in %s\n", mode_ == Mode::kBar ? "\n" : "", label_.c_str(), status.c_str(),
               clock_text(elapsed).c_str());
}

}  // namespace gftlab
