#include "train/pretrained_store.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/file_lock.h"
#include "core/sha256.h"
#include "core/rng.h"
#include "data/distribution.h"
#include "io/progress.h"
#include "method/method.h"
#include "train/trainer.h"

namespace gftlab {
namespace {

const std::vector<std::string> kPretrainPrefixes = {"source", "model", "path", "pretrain"};
// Part of every stored model's id: bump it when pretraining's numerics change (v2: EMA warm-up), so a
// store filled by older code is never reused for a config whose results would now differ.
constexpr const char* kPretrainNumerics = "v2";

uint64_t pretrain_seed(const Config& cfg) { return static_cast<uint64_t>(cfg.get_int("pretrain.seed")); }

void pretrain(const Config& pcfg, const Distribution& source, const FieldPtr& out, const std::string& id,
              const std::string& yaml_path) {
  const uint64_t seed = pretrain_seed(pcfg);
  auto model = make_velocity_field(pcfg, source.sample_shape(), seed);
  FlowMatching objective(true);
  LinearPath path(pcfg.get_float("path.sigma"));
  IndependentCoupling coupling;
  const auto settings = TrainSettings::from_config(pcfg, "pretrain");
  Trainer trainer(model, out, objective, path, coupling,
                  [&source](int64_t n, at::Generator& gen) { return source.sample(n, gen); }, settings,
                  make_generator(seed, "pretrain"));
  Progress progress(pcfg.get_string("progress"), "pretrain " + id, settings.steps);
  const auto start = std::chrono::steady_clock::now();
  double last_loss = 0.0;
  for (int64_t s = 0; s < settings.steps; ++s) {
    trainer.step();
    if ((s + 1) % 50 == 0 || s + 1 == settings.steps) {
      const auto chunk = trainer.flush();
      if (chunk.first_nonfinite >= 0)
        throw std::runtime_error(fmt::format("pretraining {} diverged at step {}", id, chunk.step[chunk.first_nonfinite]));
      last_loss = chunk.loss.back();
      progress.update(s + 1, last_loss);
    }
  }
  progress.finish("done");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream meta(yaml_path);
  meta << "# gftlab pretrained model " << id << "\n"
       << fmt::format("final_loss: {}\nseconds: {:.2f}\nparameters: {}\nconfig:\n", last_loss, seconds,
                      parameter_count(*out));
  std::istringstream body(pcfg.canonical_yaml());
  for (std::string line; std::getline(body, line);) meta << "  " << line << "\n";
}

}  // namespace

Config pretraining_config(const Config& cfg) {
  const int64_t seed = cfg.get_int("pretrain.seed") >= 0 ? cfg.get_int("pretrain.seed") : cfg.get_int("seed");
  return cfg.with_overrides({fmt::format("pretrain.seed={}", seed)});
}

std::string pretrained_id(const Config& cfg) {
  return sha256_hex(std::string(kPretrainNumerics) + ":" + pretraining_config(cfg).hash_of(kPretrainPrefixes))
      .substr(0, 16);
}

Pretrained get_or_pretrain(const Config& cfg, const Distribution& source) {
  const Config pcfg = pretraining_config(cfg);
  Pretrained out;
  out.id = pretrained_id(cfg);
  const std::filesystem::path dir = cfg.get_string("output.pretrained_dir");
  std::filesystem::create_directories(dir);
  out.path = (dir / (out.id + ".pt")).string();
  out.field = make_velocity_field(pcfg, source.sample_shape(), pretrain_seed(pcfg));
  FileLock lock((dir / (out.id + ".lock")).string());
  if (std::filesystem::exists(out.path)) {
    load_field(*out.field, out.path);
    out.reused = true;
  } else {
    pretrain(pcfg, source, out.field, out.id, (dir / (out.id + ".yaml")).string());
    save_field(*out.field, out.path);
  }
  out.field->eval();
  for (auto& p : out.field->parameters()) p.set_requires_grad(false);
  return out;
}

}  // namespace gftlab
