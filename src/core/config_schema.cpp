// The configuration schema's building blocks and the core layer's own keys. docs/config.md's configuration
// reference is printed from the assembled schema (`gftlab config --reference`).
#include "core/schema_builders.h"

namespace gftlab::schema {

KeySpec make(std::string path, ValueType type, Value value, std::string doc, Range range) {
  KeySpec spec;
  spec.path = std::move(path);
  spec.type = type;
  value.type = type;
  spec.default_value = std::move(value);
  spec.doc = std::move(doc);
  spec.min = range.min;
  spec.max = range.max;
  spec.min_exclusive = range.min_exclusive;
  return spec;
}

KeySpec integer(std::string path, int64_t def, std::string doc, Range range) {
  Value v;
  v.i = def;
  return make(std::move(path), ValueType::kInt, v, std::move(doc), range);
}

KeySpec number(std::string path, double def, std::string doc, Range range) {
  Value v;
  v.f = def;
  return make(std::move(path), ValueType::kFloat, v, std::move(doc), range);
}

KeySpec choice(std::string path, std::string def, std::vector<std::string> choices, std::string doc) {
  Value v;
  v.s = std::move(def);
  KeySpec spec = make(std::move(path), ValueType::kString, v, std::move(doc));
  spec.choices = std::move(choices);
  return spec;
}

KeySpec text(std::string path, std::string def, std::string doc) { return choice(path, def, {}, doc); }

KeySpec list(std::string path, ValueType type, std::vector<double> def, std::string doc, Range range) {
  Value v;
  v.numbers = std::move(def);
  v.shape = {static_cast<int64_t>(v.numbers.size())};
  return make(std::move(path), type, v, std::move(doc), range);
}

KeySpec array(std::string path, std::string doc) {
  Value v;
  v.shape = {0};
  return make(std::move(path), ValueType::kArray, v, std::move(doc));
}

KeySpec execution(KeySpec spec) {
  spec.affects_results = false;
  return spec;
}

KeySpec string_list(std::string path, std::vector<std::string> def, std::vector<std::string> choices, std::string doc) {
  KeySpec spec = make(std::move(path), ValueType::kStringList, Value{}, std::move(doc));
  spec.default_value.strings = std::move(def);
  spec.choices = std::move(choices);
  return spec;
}

const std::vector<std::string>& progress_mode_names() {
  static const std::vector<std::string> names = {"auto", "bar", "lines", "none"};
  return names;
}

void add_core_keys(std::vector<KeySpec>& keys) {
  keys.push_back(integer("seed", 0, "seed of everything random in the run", kNonNegative));
  keys.push_back(
      execution(integer("threads", 0, "intra-op threads (0: all cores; --threads overrides)", kNonNegative)));
  keys.push_back(execution(text("device", "cpu",
                                "where networks and training tensors live: cpu, cuda, cuda:K or auto (cuda when "
                                "one is visible); random numbers are drawn on the CPU and moved (docs/gpu.md)")));
  Value off;
  off.type = ValueType::kBool;
  keys.push_back(execution(make("cudnn_benchmark", ValueType::kBool, off,
                                "let cuDNN time its convolution algorithms (faster, not reproducible bit for bit)")));
  keys.push_back(execution(make("tf32", ValueType::kBool, off,
                                "let CUDA matrix products and convolutions round their inputs to TF32 (faster on "
                                "recent GPUs, about 3 significant digits; off: full float32, as on the CPU)")));
  keys.push_back(execution(choice("progress", "auto", progress_mode_names(),
                                  "progress display: a bar on a terminal, periodic lines otherwise")));
  keys.push_back(execution(text("output.dir", "results/runs", "run files go to <dir>/<run_id>.h5")));
  keys.push_back(execution(text("output.file", "", "explicit run-file path (overrides output.dir)")));
  keys.push_back(execution(text("output.tensorboard", "",
                                "TensorBoard event files of the run's series, written while it trains: \"\" beside "
                                "the run file (<stem>.tensorboard/), off, or a directory (a sweep: "
                                "<sweep>/tensorboard/<arm>/<point>/seed<k>)")));
  keys.push_back(
      execution(text("output.pretrained_dir", "results/pretrained", "content-addressed store of pretrained models")));
  keys.push_back(execution(
      text("output.features_dir", "results/features", "content-addressed store of the image feature networks")));
  keys.push_back(execution(number("checkpoint.every_seconds", 300,
                                  "write the run's checkpoint (<run file stem>.ckpt) this often, and always on "
                                  "SIGUSR1/SIGTERM/SIGINT; 0: only on those signals",
                                  kNonNegative)));
}

}  // namespace gftlab::schema
