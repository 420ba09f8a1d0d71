#include "train/pretrained_store.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/file_lock.h"
#include "core/sha256.h"
#include "core/stop_signal.h"
#include "core/rng.h"
#include "data/distribution.h"
#include "io/progress.h"
#include "method/method.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace gftlab {
namespace {

const std::vector<std::string> kPretrainPrefixes = {"source", "model", "path", "pretrain"};
// Part of every stored model's id: bump it when pretraining's numerics change (v2: EMA warm-up), so a
// store filled by older code is never reused for a config whose results would now differ.
constexpr const char* kPretrainNumerics = "v2";

uint64_t pretrain_seed(const Config& cfg) { return static_cast<uint64_t>(cfg.get_int("pretrain.seed")); }

// Pretraining writes <id>.ckpt beside the model (on a stop request and every checkpoint.every_seconds) and
// continues from it, so a long pretraining survives preemption like a run does.
void pretrain(const Config& pcfg, const Distribution& source, const FieldPtr& out, const std::string& id,
              const std::filesystem::path& dir) {
  const uint64_t seed = pretrain_seed(pcfg);
  auto model = make_velocity_field(pcfg, source.sample_shape(), seed);
  FlowMatching objective(true);
  LinearPath path(pcfg.get_float("path.sigma"));
  IndependentCoupling coupling;
  const auto settings = TrainSettings::from_config(pcfg, "pretrain");
  Trainer trainer(model, out, objective, path, coupling,
                  [&source](int64_t n, at::Generator& gen) { return source.sample(n, gen); }, settings,
                  make_generator(seed, "pretrain"));
  const std::string checkpoint = (dir / (id + ".ckpt")).string();
  double seconds_before = 0.0, last_loss = 0.0;
  if (std::filesystem::exists(checkpoint)) {
    torch::serialize::InputArchive archive;
    archive.load_from(checkpoint);
    trainer.load(archive);
    c10::IValue seconds;
    archive.read("seconds", seconds);
    seconds_before = seconds.toDouble();
    fmt::print(stderr, "pretrain {}: continuing from its checkpoint at step {}\n", id, trainer.steps_done());
  }
  Progress progress(pcfg.get_string("progress"), "pretrain " + id, settings.steps);
  CheckpointClock clock(pcfg.get_float("checkpoint.every_seconds"));
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (int64_t s = trainer.steps_done(); s < settings.steps; ++s) {
    trainer.step();
    const bool save = s + 1 < settings.steps && clock.due();
    if ((s + 1) % 50 == 0 || s + 1 == settings.steps || save) {
      const auto chunk = trainer.flush();
      if (chunk.first_nonfinite >= 0)
        throw std::runtime_error(fmt::format("pretraining {} diverged at step {}", id, chunk.step[chunk.first_nonfinite]));
      last_loss = chunk.loss.back();
      progress.update(s + 1, last_loss);
    }
    if (!save) continue;
    torch::serialize::OutputArchive archive;
    trainer.save(archive);
    archive.write("seconds", c10::IValue(elapsed()));
    write_archive_atomically(archive, checkpoint);
    clock.restart();
    if (stop_requested())
      throw Interrupted(fmt::format("{} stopped pretraining {} at step {}; its checkpoint {} continues it",
                                    stop_signal_name(), id, s + 1, checkpoint));
  }
  progress.finish("done");
  std::ofstream meta((dir / (id + ".yaml")).string());
  meta << "# gftlab pretrained model " << id << "\n"
       << fmt::format("final_loss: {}\nseconds: {:.2f}\nparameters: {}\nconfig:\n", last_loss, elapsed(),
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

std::string pretrained_path(const Config& cfg) {
  return (std::filesystem::path(cfg.get_string("output.pretrained_dir")) / (pretrained_id(cfg) + ".pt")).string();
}

Pretrained get_or_pretrain(const Config& cfg, const Distribution& source) {
  const Config pcfg = pretraining_config(cfg);
  Pretrained out;
  out.id = pretrained_id(cfg);
  const std::filesystem::path dir = cfg.get_string("output.pretrained_dir");
  std::filesystem::create_directories(dir);
  out.path = pretrained_path(cfg);
  out.field = make_velocity_field(pcfg, source.sample_shape(), pretrain_seed(pcfg));
  FileLock lock((dir / (out.id + ".lock")).string());
  if (std::filesystem::exists(out.path)) {
    load_field(*out.field, out.path);
    out.reused = true;
  } else {
    pretrain(pcfg, source, out.field, out.id, dir);
    save_field(*out.field, out.path);
    std::filesystem::remove(dir / (out.id + ".ckpt"));
  }
  out.field->eval();
  for (auto& p : out.field->parameters()) p.set_requires_grad(false);
  return out;
}

}  // namespace gftlab
