#include "cli/commands.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config.h"
#include "core/config_text.h"
#include "core/runtime.h"
#include "data/distribution.h"
#include "features/feature_net.h"
#include "io/run_file_reader.h"
#include "io/run_layout.h"
#include "method/method.h"
#include "run/runner.h"
#include "train/pretrained_store.h"

namespace gftlab {
namespace {

std::string default_text(const KeySpec& spec) {
  const auto& v = spec.default_value;
  switch (spec.type) {
    case ValueType::kBool: return v.b ? "true" : "false";
    case ValueType::kInt: return fmt::format("{}", v.i);
    case ValueType::kFloat: return fmt::format("{}", v.f);
    case ValueType::kString: return v.s.empty() ? "\"\"" : v.s;
    case ValueType::kIntList:
    case ValueType::kFloatList: return fmt::format("[{}]", fmt::join(v.numbers, ", "));
    case ValueType::kStringList: return fmt::format("[{}]", fmt::join(v.strings, ", "));
    case ValueType::kArray: return "[]";
  }
  return "";
}

std::string allowed_text(const KeySpec& spec) {
  if (!spec.choices.empty()) return fmt::format("{}", fmt::join(spec.choices, ", "));
  return describe_range(spec);
}

// `gftlab config key=value` has no file: the first positional is then an override, not a file name.
Config config_of(const ConfigArgs& args) {
  if (args.config.find('=') == std::string::npos || std::filesystem::exists(args.config))
    return Config::load(args.config, args.overrides);
  std::vector<std::string> overrides = {args.config};
  overrides.insert(overrides.end(), args.overrides.begin(), args.overrides.end());
  return Config::load("", overrides);
}

// --threads when given, else the config's `threads`; applied, and returned as resolved.
int apply_threads(int requested, const Config& cfg) {
  return set_threads(requested > 0 ? requested : static_cast<int>(cfg.get_int("threads")));
}

// An allocation that fails (LibTorch's "you tried to allocate N bytes") in the user's words: how much, and the
// keys that set the sizes involved. Other errors pass through unchanged.
[[noreturn]] void rethrow_in_user_terms(const std::exception& e, const Config& cfg) {
  const std::string what = e.what();
  const auto at = what.find("tried to allocate ");
  if (at == std::string::npos) throw;
  const double bytes = std::strtod(what.c_str() + at + 18, nullptr);
  std::vector<std::string> keys = {"model.kind = " + cfg.get_string("model.kind")};
  for (const char* key :
       {"model.width", "model.depth", "finetune.batch_size", "pretrain.batch_size", "eval.n_samples", "target.n_eval"})
    keys.push_back(fmt::format("{} = {}", key, cfg.get_int(key)));
  throw std::runtime_error(
      fmt::format("out of memory: one allocation asked for {:.3g} GiB; the sizes come from {} "
                  "(and model.unet.* for a U-Net)",
                  bytes / (1024.0 * 1024.0 * 1024.0), fmt::join(keys, ", ")));
}

}  // namespace

int command_run(const RunArgs& args) {
  std::vector<std::string> overrides = args.overrides;
  if (!args.out.empty()) overrides.push_back("output.file=" + args.out);
  Config cfg = Config::load(args.config, overrides);
  const int threads = apply_threads(args.threads, cfg);
  try {
    Runner runner(cfg);  // every configuration error surfaces here, before any work
    if (const auto warning = blas_warning(); !warning.empty()) fmt::print(stderr, "{}\n", warning);
    fmt::print(stderr, "gftlab run {} ({} threads) -> {}\n", cfg.run_id(), threads, runner.output_path());
    const auto result = runner.run();
    fmt::print("{} {}\n", result.status == RunStatus::kComplete ? "complete" : "diverged", result.path);
    return result.exit_code();
  } catch (const std::exception& e) {  // c10::Error included
    rethrow_in_user_terms(e, cfg);
  }
}

int command_pretrain(const RunArgs& args) {
  const Config cfg = Config::load(args.config, args.overrides);
  const int threads = apply_threads(args.threads, cfg);
  if (!uses_pretrained(cfg)) {
    fmt::print("method.name {} fine-tunes no pretrained model\n", cfg.get_string("method.name"));
    return 0;
  }
  const auto source = make_distribution(cfg, "source");
  fmt::print(stderr, "gftlab pretrain {} ({} threads)\n", pretrained_id(cfg), threads);
  const auto pre = get_or_pretrain(cfg, *source);
  fmt::print("{} {}\n", imports_pretrained(cfg) ? "imported" : pre.reused ? "stored" : "trained", pre.path);
  return 0;
}

int command_config(const ConfigArgs& args) {
  if (args.reference) {
    fmt::print("| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
    const char* types[] = {"bool", "int", "float", "string", "int list", "float list", "string list", "array"};
    for (const auto& spec : config_schema())
      fmt::print("| `{}` | {} | `{}` | {} | {}{} |\n", spec.path, types[static_cast<int>(spec.type)],
                 default_text(spec), allowed_text(spec), spec.doc,
                 spec.affects_results ? "" : " (not part of the run_id)");
    return 0;
  }
  const Config cfg = config_of(args);
  fmt::print("# run_id: {}\n{}", cfg.run_id(), cfg.canonical_yaml());
  return 0;
}

int command_inspect(const std::string& path) {
  const auto summary = read_run_file(path);
  const auto attr = [&](const std::string& key) {
    const auto it = summary.attributes.find(key);
    return it == summary.attributes.end() ? std::string("?") : it->second;
  };
  fmt::print("run {}  status {}  seed {}\n", attr("run_id"), attr("status"), attr("seed"));
  fmt::print("commit {}{}  host {}  threads {}\n", attr("git_commit"), attr("git_dirty") == "1" ? " (dirty)" : "",
             attr("host"), attr("threads"));
  fmt::print("started {}  ended {}  pretrained {}\n", attr("start_time"), attr("end_time"), attr("pretrained_id"));
  for (const auto& [key, value] : summary.attributes)
    if (key.rfind("version_", 0) == 0) fmt::print("  {:<18} {}\n", key.substr(8), value);
  const auto steps = summary.series.find(run_layout::kTrainStep);
  fmt::print("train steps logged: {}\nfinal:\n", steps == summary.series.end() ? 0 : steps->second.size());
  for (const auto& [name, value] : summary.finals) fmt::print("  {:<22} {:.6g}\n", name, value);
  return 0;
}

int command_features(const ConfigArgs& args, int threads) {
  const Config cfg = config_of(args);
  apply_threads(threads, cfg);
  const auto f = get_or_train_feature_net(FeatureNetSettings::from_config(cfg), cfg.get_string("output.features_dir"));
  fmt::print("{} {}: test accuracy {:.2f}% ({}/{}.pt)\n", f.reused ? "stored" : "trained", f.name,
             100 * f.test_accuracy, cfg.get_string("output.features_dir"), f.id);
  return 0;
}

}  // namespace gftlab
