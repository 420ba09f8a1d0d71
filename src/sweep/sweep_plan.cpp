#include "sweep/sweep_plan.h"

#include "core/config_text.h"
#include "core/yaml_file.h"
#include "method/method_names.h"
#include "sweep/experiment_source.h"
#include "sweep/plan_axes.h"
#include "sweep/report_block.h"
#include "sweep/slurm_script.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <set>

namespace gftlab {
namespace {

namespace fs = std::filesystem;
using Source = ExperimentSource;

const std::vector<std::string> kTopKeys = {"name", "description", "base",     "set",   "arms",  "grid",
                                           "zip",  "seeds",       "profiles", "slurm", "report"};

// (dotted key, value) leaves of a block of run-config keys, nested or dotted; a known key's value is a leaf
// even when it is a list.
void flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::pair<std::string, YAML::Node>>& out) {
  for (const auto& item : node) {
    const std::string path = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
    if (item.second.IsMap() && !find_key_spec(path))
      flatten(item.second, path, out);
    else
      out.emplace_back(path, item.second);
  }
}

// A profile's own seeds, base files, grid subset, slurm block and arm adjustments are not run-config keys.
bool profile_own(const std::string& key) {
  for (const char* prefix : {"grid.", "slurm.", "arms."})
    if (key.rfind(prefix, 0) == 0) return true;
  return key == "seeds" || key == "base" || key == "slurm" || key == "skip_arms" || key == "reference_seeds";
}

// Keys whose value the sweep decides: its run files go to <sweep directory>/runs, where collect, status and
// resume look for them.
const std::vector<std::string> kSweepOwnedKeys = {"output.dir", "output.file"};

// output.tensorboard of a sweep's run: <sweep>/tensorboard (or the directory the experiment names), then
// <arm>/<grid point>/seed<k>, so that `tensorboard --logdir` shows the arms side by side.
Config with_events_directory(const PlannedRun& run, const std::string& sweep_dir) {
  const auto chosen = run.config.get_string("output.tensorboard");
  if (chosen == "off") return run.config;
  fs::path dir = (chosen.empty() ? fs::path(sweep_dir) / "tensorboard" : fs::path(chosen)) / run.arm;
  std::string point;
  for (const auto& [key, value] : run.point) point += (point.empty() ? "" : ",") + key + "=" + value;
  std::replace(point.begin(), point.end(), '/', '_');
  if (!point.empty()) dir /= point;
  dir /= "seed" + std::to_string(run.seed);
  std::string quoted;  // a YAML double-quoted scalar: any path reads back as the string it is
  for (char c : dir.string()) quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return run.config.with_value("output.tensorboard", "\"" + quoted + "\"", "sweep");
}

Config apply_block(Config cfg, const YAML::Node& block, const std::string& where, const Source& src,
                   bool is_profile = false) {
  if (!block || block.IsNull()) return cfg;
  if (!block.IsMap()) throw src.error(block, where, "needs a mapping of run-config keys");
  std::vector<std::pair<std::string, YAML::Node>> leaves;
  flatten(block, "", leaves);
  for (const auto& [key, value] : leaves) {
    if (is_profile && profile_own(key)) continue;
    if (std::find(kSweepOwnedKeys.begin(), kSweepOwnedKeys.end(), key) != kSweepOwnedKeys.end())
      throw src.error(value, where + "." + key,
                      "is set by the sweep (its run files go to "
                      "<results>/<experiment>/<profile>/runs); it cannot be set here");
    cfg = cfg.with_value(key, yaml_text(value), src.origin(value, where + "." + key));
  }
  return cfg;
}

// `profiles.<p>.arms.<arm>`: keys applied over an arm's block at this profile's scale (e.g. a laptop budget
// for an expensive method).
YAML::Node profile_arms(const YAML::Node& profile, const std::string& name, const std::vector<std::string>& arms,
                        const Source& src) {
  if (!profile.IsMap() || !profile["arms"]) return YAML::Node();
  const auto node = profile["arms"];
  const std::string where = "profiles." + name + ".arms";
  if (!node.IsMap()) throw src.error(node, where, "needs a mapping of arm names to override blocks");
  for (const auto& item : node) check_arm(item.first, where + "." + item.first.Scalar(), arms, src);
  return node;
}

// `profiles.<p>.skip_arms`: arms not run at this profile's scale.
std::vector<std::string> skipped_arms(const YAML::Node& profile, const std::string& name,
                                      const std::vector<std::string>& arms, const Source& src) {
  if (!profile.IsMap() || !profile["skip_arms"]) return {};
  const auto node = profile["skip_arms"];
  const std::string where = "profiles." + name + ".skip_arms";
  if (!node.IsSequence()) throw src.error(node, where, "needs a list of arm names");
  std::vector<std::string> skipped;
  for (const auto& item : node) {
    check_arm(item, where, arms, src);
    skipped.push_back(item.Scalar());
  }
  return skipped;
}

// An arm of the experiment: its override block and `drop`, the grid axes it does not take. It keeps its own
// value of each dropped axis and runs only at the grid points that have that value (a reward method has no
// coupling to vary: crossing it with the coupling axis would plan duplicates or impossible runs).
struct Arm {
  std::string name;
  YAML::Node block;
  YAML::Node drop_node;
  std::vector<std::string> drop;
};

Arm read_arm(const std::string& name, const YAML::Node& node, const YAML::Node& grid, const Source& src) {
  if (!node.IsMap() || !node["drop"]) return Arm{name, node, YAML::Node(), {}};
  // A yaml-cpp Node assigned to another one writes through to it: the block without `drop` is a new node.
  YAML::Node block = YAML::Clone(node);
  block.remove("drop");
  Arm arm{name, block, node["drop"], {}};
  const std::string where = "arms." + name + ".drop";
  std::vector<std::string> axes;
  if (grid && grid.IsMap())
    for (const auto& axis : grid) axes.push_back(axis.first.Scalar());
  if (!arm.drop_node.IsSequence()) throw src.error(arm.drop_node, where, "needs a list of grid keys");
  for (const auto& key : arm.drop_node) {
    if (std::find(axes.begin(), axes.end(), key.Scalar()) == axes.end())
      throw src.error(key, where,
                      fmt::format("'{}' is not a grid key; the grid's keys: {}", key.Scalar(),
                                  axes.empty() ? "(no grid)" : fmt::format("{}", fmt::join(axes, ", "))));
    arm.drop.push_back(key.Scalar());
  }
  return arm;
}

// Whether the arm, whose config before the grid is `own`, runs at this point: a dropped axis must have the
// arm's own value there, i.e. applying it changes nothing.
bool arm_runs_at(const Arm& arm, const Config& own, const std::vector<std::pair<std::string, YAML::Node>>& point) {
  if (arm.drop.empty()) return true;
  const std::string unchanged = own.canonical_yaml();
  for (const auto& [key, value] : point)
    if (std::find(arm.drop.begin(), arm.drop.end(), key) != arm.drop.end() &&
        own.with_value(key, yaml_text(value), "").canonical_yaml() != unchanged)
      return false;
  return true;
}

YAML::Node load_experiment(const std::string& file) {
  const YAML::Node root = load_yaml_mapping(file, "experiment");
  for (const auto& item : root) {
    const auto key = item.first.Scalar();
    if (std::find(kTopKeys.begin(), kTopKeys.end(), key) == kTopKeys.end()) {
      const auto near = closest_matches(key, kTopKeys);
      throw ConfigError(fmt::format(
          "{}:{}: {}: unknown experiment key{}; allowed: {}", file, item.first.Mark().line + 1, key,
          near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near.front()), fmt::join(kTopKeys, ", ")));
    }
  }
  return root;
}

// Layers the config files of a `base:` list (paths relative to the experiment file), later ones last.
Config apply_files(Config cfg, const YAML::Node& base, const std::string& where, const Source& src) {
  if (!base) return cfg;
  if (!base.IsSequence()) throw src.error(base, where, "needs a list of config files (relative to the experiment)");
  for (const auto& entry : base) {
    const auto path = fs::path(src.file).parent_path() / entry.Scalar();
    if (!fs::exists(path)) throw src.error(entry, where, fmt::format("'{}' does not exist", path.string()));
    cfg = cfg.with_file(path.lexically_normal().string());
  }
  return cfg;
}

// The experiment's grid with the axes a profile narrows (`profiles.<p>.grid`: a subset of each axis's
// values, e.g. a laptop-scale profile that runs one coupling of several).
YAML::Node profile_grid(const YAML::Node& grid, const YAML::Node& profile, const std::string& name, const Source& src) {
  if (!profile.IsMap() || !profile["grid"]) return grid;
  const auto narrowed = profile["grid"];
  const std::string where = "profiles." + name + ".grid";
  if (!narrowed.IsMap()) throw src.error(narrowed, where, "needs a mapping of grid keys to lists of values");
  YAML::Node out = YAML::Clone(grid);
  for (const auto& axis : narrowed) {
    const auto key = axis.first.Scalar();
    if (!grid || !grid[key]) throw src.error(axis.first, where + "." + key, "is not a grid key of this experiment");
    if (!axis.second.IsSequence() || axis.second.size() == 0)
      throw src.error(axis.second, where + "." + key, "needs a non-empty list of values");
    std::vector<std::string> allowed;
    for (const auto& v : grid[key]) allowed.push_back(yaml_text(v));
    for (const auto& v : axis.second)
      if (std::find(allowed.begin(), allowed.end(), yaml_text(v)) == allowed.end())
        throw src.error(v, where + "." + key,
                        fmt::format("'{}' is not among the grid's values: {}", yaml_text(v), fmt::join(allowed, ", ")));
    out[key] = axis.second;
  }
  return out;
}

std::vector<std::string> read_lines(const YAML::Node& node, const std::string& where, const Source& src) {
  if (!node.IsSequence()) throw src.error(node, where, "needs a list of strings, one line each");
  std::vector<std::string> lines;
  for (const auto& item : node) {
    if (!item.IsScalar()) throw src.error(item, where, "needs a list of strings, one line each");
    lines.push_back(item.Scalar());
  }
  return lines;
}

// Layers a `slurm:` block over `out`; values stay text until a script is written.
void read_slurm_block(const YAML::Node& node, const std::string& where, const Source& src, SlurmBlock& out) {
  if (!node) return;
  if (!node.IsMap()) throw src.error(node, where, "needs a mapping (partition, time, ..., sbatch, setup)");
  std::vector<std::string> allowed = slurm_option_keys();
  allowed.insert(allowed.end(), {"sbatch", "setup"});
  for (const auto& item : node) {
    const auto key = item.first.Scalar();
    check_key(item.first, where, allowed, src);
    if (key == "sbatch")
      out.sbatch = read_lines(item.second, where + ".sbatch", src);
    else if (key == "setup")
      out.setup = read_lines(item.second, where + ".setup", src);
    else if (!item.second.IsScalar())
      throw src.error(item.second, where + "." + key, "needs a single value");
    else
      out.options[key] = item.second.Scalar();
  }
}

// `profiles.<p>.reference_seeds: N`: the arms that carry no claim (neither the baseline nor a treatment) run
// only the first N seeds: they are shown, never tested, so they need not pay for the claims' seed count.
void limit_reference_seeds(const YAML::Node& profile, const std::string& name, const std::vector<int64_t>& seeds,
                           const Source& src, SweepPlan& plan) {
  if (!profile.IsMap() || !profile["reference_seeds"]) return;
  const auto node = profile["reference_seeds"];
  int64_t n = 0;
  try {
    n = node.as<int64_t>();
  } catch (const YAML::Exception&) {
  }
  if (n < 1) throw src.error(node, "profiles." + name + ".reference_seeds", "needs a seed count >= 1");
  const std::set<int64_t> kept(seeds.begin(), seeds.begin() + std::min<int64_t>(n, static_cast<int64_t>(seeds.size())));
  const auto& r = plan.report;
  const auto reference = [&](const PlannedRun& run) { return r.role_of(run.arm) == "reference"; };
  plan.runs.erase(std::remove_if(plan.runs.begin(), plan.runs.end(),
                                 [&](const PlannedRun& run) { return reference(run) && !kept.count(run.seed); }),
                  plan.runs.end());
}

void check_name(const std::string& name, const YAML::Node& node, const std::string& where, const Source& src) {
  if (!is_safe_name(name))
    throw src.error(node, where,
                    fmt::format("'{}' is not a safe name: use letters, digits, '.', '_' and '-' (not "
                                "first), since it names directories and jobs",
                                name));
}

std::string describe(const PlannedRun& run) {
  std::vector<std::string> parts = {"arm " + run.arm, fmt::format("seed {}", run.seed)};
  for (const auto& [k, v] : run.point) parts.push_back(k + "=" + v);
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

const std::vector<std::string>& slurm_option_keys() {
  static const std::vector<std::string> keys = {"partition",     "time",          "cpus_per_task",
                                                "mem",           "gpus_per_task", "gres",
                                                "runs_per_task", "max_parallel",  "signal_seconds"};
  return keys;
}

bool is_safe_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

const std::vector<std::string>& required_profiles() {
  static const std::vector<std::string> names = {"smoke", "quick", "paper"};
  return names;
}

SweepPlan plan_sweep(const std::string& file, const std::string& profile, const std::vector<std::string>& overrides,
                     const std::string& results_root, int64_t max_runs) {
  const Source src{file};
  const YAML::Node root = load_experiment(file);
  SweepPlan plan;
  plan.experiment = root["name"] ? root["name"].Scalar() : fs::path(file).stem().string();
  plan.description = root["description"] ? root["description"].Scalar() : "";
  plan.profile = profile;
  check_name(plan.experiment, root["name"] ? root["name"] : root, root["name"] ? "name" : "(file name)", src);
  if (!is_safe_name(profile))
    throw ConfigError(
        fmt::format("{}: profile '{}' is not a safe name (letters, digits, '.', '_', '-')", file, profile));
  plan.directory = (fs::path(results_root) / plan.experiment / profile).string();

  const YAML::Node profiles = root["profiles"];
  if (!profiles || !profiles.IsMap())
    throw ConfigError(fmt::format("{}: profiles: needs a mapping with {}", file, fmt::join(required_profiles(), ", ")));
  for (const auto& name : required_profiles())
    if (!profiles[name]) throw src.error(profiles, "profiles", fmt::format("every experiment defines '{}'", name));
  const YAML::Node chosen = profiles[profile];
  if (!chosen) throw ConfigError(fmt::format("{}: profile '{}' is not defined here", file, profile));

  // The sweep's stores are defaults that the experiment's blocks may change; its run directory is not.
  Config cfg = apply_files(Config::defaults(), root["base"], "base", src)
                   .with_value("output.pretrained_dir", (fs::path(results_root) / "pretrained").string(), "sweep")
                   .with_value("output.features_dir", (fs::path(results_root) / "features").string(), "sweep");
  cfg = apply_block(cfg, root["set"], "set", src);
  if (chosen.IsMap()) cfg = apply_files(cfg, chosen["base"], "profiles." + profile + ".base", src);
  read_slurm_block(root["slurm"], "slurm", src, plan.slurm);
  if (chosen.IsMap()) read_slurm_block(chosen["slurm"], "profiles." + profile + ".slurm", src, plan.slurm);
  resolve_slurm_options(plan.slurm, {});  // every command checks the whole file, not only `sweep submit`
  cfg = apply_block(cfg, chosen, "profiles." + profile, src, true);
  cfg = cfg.with_value("output.dir", (fs::path(plan.directory) / "runs").string(), "sweep");

  const YAML::Node seeds_node = chosen.IsMap() && chosen["seeds"] ? chosen["seeds"] : root["seeds"];
  const auto seeds =
      seeds_node ? read_seeds(seeds_node, "seeds", max_runs, src) : std::vector<int64_t>{cfg.get_int("seed")};
  std::vector<Arm> arms;
  if (const auto node = root["arms"]) {
    if (!node.IsMap() || node.size() == 0)
      throw src.error(node, "arms", "needs a mapping of arm names to override blocks");
    for (const auto& arm : node) {
      check_name(arm.first.Scalar(), arm.first, "arms." + arm.first.Scalar(), src);
      arms.push_back(read_arm(arm.first.Scalar(), arm.second, root["grid"], src));
    }
  } else {
    arms.push_back(Arm{cfg.get_string("method.name"), YAML::Node(), YAML::Node(), {}});
  }

  std::vector<std::string> arm_names;
  for (const auto& arm : arms) arm_names.push_back(arm.name);
  const YAML::Node arm_adjustments = profile_arms(chosen, profile, arm_names, src);
  const auto skipped = skipped_arms(chosen, profile, arm_names, src);
  const YAML::Node grid = profile_grid(root["grid"], chosen, profile, src);
  check_sweep_size(arms.size() - skipped.size(), count_points(grid, root["zip"]), seeds.size(), max_runs, file);
  const auto points = expand_axes(grid, root["zip"], src);

  std::map<std::string, std::string> seen;
  for (const auto& arm : arms) {
    if (std::find(skipped.begin(), skipped.end(), arm.name) != skipped.end()) continue;
    Config own = apply_block(cfg, arm.block, "arms." + arm.name, src);
    plan.arms.push_back({arm.name, {}});
    std::vector<std::pair<std::string, YAML::Node>> leaves;
    if (arm.block.IsMap()) flatten(arm.block, "", leaves);
    for (const auto& [key, value] : leaves) plan.arms.back().settings.emplace_back(key, yaml_text(value));
    if (arm_adjustments && arm_adjustments[arm.name])
      own = apply_block(own, arm_adjustments[arm.name], "profiles." + profile + ".arms." + arm.name, src);
    const size_t planned_before = plan.runs.size();
    for (const auto& point : points)
      for (int64_t seed : seeds) {
        if (!arm_runs_at(arm, own, point)) continue;
        PlannedRun run;
        run.arm = arm.name;
        run.seed = seed;
        Config c = own;
        for (const auto& [key, value] : point) {
          c = c.with_value(key, yaml_text(value), src.origin(value, "grid/zip " + key));
          run.point.emplace_back(key, yaml_text(value));
        }
        c = c.with_value("seed", std::to_string(seed), src.origin(seeds_node ? seeds_node : root, "seeds"));
        run.config = c.with_overrides(overrides);
        for (const auto& owned : kSweepOwnedKeys)
          if (run.config.get_string(owned) != cfg.get_string(owned))
            throw ConfigError(
                fmt::format("{}: {} is set by the sweep (run files go to {}/runs); it cannot be "
                            "overridden",
                            file, owned, plan.directory));
        check_method_coupling(run.config);
        run.config = with_events_directory(run, plan.directory);
        run.run_id = run.config.run_id();
        const auto [it, fresh] = seen.emplace(run.run_id, describe(run));
        if (!fresh)
          throw ConfigError(
              fmt::format("{}: runs '{}' and '{}' resolve to the same config (run_id {}): an axis or arm "
                          "changes nothing",
                          file, it->second, describe(run), run.run_id));
        plan.runs.push_back(std::move(run));
      }
    if (plan.runs.size() == planned_before && !arm.drop.empty())
      throw src.error(arm.drop_node, "arms." + arm.name + ".drop",
                      "no grid point has the arm's own value of the dropped keys, so the arm would have no runs");
  }
  if (plan.runs.empty()) throw ConfigError(fmt::format("{}: the sweep expands to zero runs", file));
  plan.report = read_report_block(root["report"], plan, arm_names, src);
  limit_reference_seeds(chosen, profile, seeds, src, plan);
  return plan;
}

}  // namespace gftlab
