#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "io/archive_file.h"
#include "io/json_line.h"
#include "sweep/sweep_plan.h"

namespace gftlab {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::string config_file_of(const std::string& sweep_dir, const std::string& run_id) {
  return (fs::path(sweep_dir) / "configs" / (run_id + ".yaml")).string();
}

std::string manifest_line(const SweepPlan& plan, const PlannedRun& run) {
  const auto config_path = config_file_of(plan.directory, run.run_id);
  return JsonLine()
      .add("run_id", run.run_id)
      .add("arm", run.arm)
      .add("seed", run.seed)
      .add("point", run.point)
      .add("config_path", config_path)
      .add("config_yaml", run.config.canonical_yaml())
      .str();
}

void write_manifest(const SweepPlan& plan) {
  const fs::path dir(plan.directory);
  fs::create_directories(dir / "configs");
  std::string lines;
  for (const auto& run : plan.runs) {
    write_text_atomically(run.config.canonical_yaml(), config_file_of(plan.directory, run.run_id));
    lines += manifest_line(plan, run);
  }
  write_text_atomically(lines, (dir / "manifest.jsonl").string());
}

void write_array_manifest(const SweepPlan& plan, const std::vector<const PlannedRun*>& runs, const std::string& path) {
  std::string lines;
  for (const auto* run : runs) lines += manifest_line(plan, *run);
  write_text_atomically(lines, path);
}

std::vector<ManifestEntry> read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the manifest " + path);
  std::vector<ManifestEntry> entries;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    try {
      const YAML::Node node = YAML::Load(line);  // JSON is YAML
      ManifestEntry e{node["run_id"].as<std::string>(), node["arm"].as<std::string>(), node["seed"].as<int64_t>(),
                      node["config_path"].as<std::string>()};
      if (e.run_id.empty() || e.run_id.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw std::runtime_error("run_id '" + e.run_id + "' is not a gftlab run id");
      entries.push_back(std::move(e));
    } catch (const std::exception& ex) {
      throw std::runtime_error(fmt::format("{}:{}: not a manifest entry ({})", path, number, ex.what()));
    }
  }
  return entries;
}

std::string sweep_directory_of(const ManifestEntry& entry) {
  return fs::path(entry.config_path).parent_path().parent_path().string();
}

}  // namespace gftlab
