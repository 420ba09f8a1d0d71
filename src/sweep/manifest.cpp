#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include "sweep/sweep_plan.h"

namespace gftlab {
namespace {

namespace fs = std::filesystem;

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += c;
    }
  }
  return out + "\"";
}

// Written beside the target and renamed, so a reader never sees half a file.
void write_atomically(const fs::path& path, const std::string& text) {
  const auto temp = path.string() + fmt::format(".tmp.{}", getpid());
  {
    std::ofstream out(temp);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temp);
  }
  fs::rename(temp, path);
}

}  // namespace

void write_manifest(const SweepPlan& plan) {
  const fs::path dir(plan.directory);
  fs::create_directories(dir / "configs");
  std::string lines;
  for (const auto& run : plan.runs) {
    const auto config_path = dir / "configs" / (run.run_id + ".yaml");
    const auto yaml = run.config.canonical_yaml();
    write_atomically(config_path, yaml);
    std::vector<std::string> point;
    for (const auto& [k, v] : run.point) point.push_back(json_string(k) + ": " + json_string(v));
    lines += fmt::format("{{\"run_id\": {}, \"arm\": {}, \"seed\": {}, \"point\": {{{}}}, \"config_path\": {}, "
                         "\"config_yaml\": {}}}\n",
                         json_string(run.run_id), json_string(run.arm), run.seed, fmt::join(point, ", "),
                         json_string(config_path.string()), json_string(yaml));
  }
  write_atomically(dir / "manifest.jsonl", lines);
}

}  // namespace gftlab
