#include "train/pretrained_store.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>

#include "core/config.h"
#include "core/device.h"
#include "core/sha256.h"
#include "core/stop_signal.h"
#include "core/rng.h"
#include "data/distribution.h"
#include "io/content_store.h"
#include "io/progress.h"
#include "method/method.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "train/training_loop.h"

namespace gftlab {
namespace {

const std::vector<std::string> kPretrainPrefixes = {"source", "model", "path", "pretrain"};
// Part of every stored model's id: bump it when pretraining's numerics change (v2: EMA warm-up), so a
// store filled by older code is never reused for a config whose results would now differ.
constexpr const char* kPretrainNumerics = "v2";

// Pretraining logs only its last loss: its series are flushed less often than a run's.
constexpr int64_t kFlushEvery = 50;

uint64_t pretrain_seed(const Config& cfg) { return static_cast<uint64_t>(cfg.get_int("pretrain.seed")); }

// Pretraining writes <id>.ckpt beside the model (on a stop request and every checkpoint.every_seconds) and
// continues from it, so a long pretraining survives preemption like a run does.
// Returns the store's record of the model.
YAML::Node pretrain(const Config& pcfg, const Distribution& source, const FieldPtr& out, const std::string& id,
                    const std::string& checkpoint) {
  const uint64_t seed = pretrain_seed(pcfg);
  auto model = make_velocity_field(pcfg, source.sample_shape(), seed);
  const auto device = resolve_device(pcfg);
  model->to(device);
  out->to(device);
  FlowMatching objective(true);
  const LinearPath path = make_path(pcfg);
  IndependentCoupling coupling;
  const auto settings = TrainSettings::from_config(pcfg, "pretrain");
  Trainer trainer(model, out, objective, path, coupling,
                  {[&source](int64_t n, at::Generator& gen) { return source.sample(n, gen); }, source.sample_shape()},
                  settings, make_generator(seed, "pretrain"));
  double seconds_before = 0.0, last_loss = 0.0;
  if (std::filesystem::exists(checkpoint)) {
    torch::serialize::InputArchive archive;
    archive.load_from(checkpoint, at::Device(at::kCPU));
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
  LoopHooks hooks;
  hooks.on_chunk = [&](const SeriesChunk& chunk) {
    if (chunk.first_nonfinite < 0) last_loss = chunk.loss.back();
  };
  hooks.save_checkpoint = [&](int64_t) {
    torch::serialize::OutputArchive archive;
    trainer.save(archive);
    archive.write("seconds", c10::IValue(elapsed()));
    write_archive_atomically(archive, checkpoint);
  };
  hooks.stopped = [&](int64_t s) {
    return fmt::format("{} stopped pretraining {} at step {}; its checkpoint {} continues it", stop_signal_name(), id,
                       s, checkpoint);
  };
  const LoopEnd end = run_training_loop(trainer, settings.steps, kFlushEvery, progress, clock, hooks);
  if (end.diverged) throw std::runtime_error(fmt::format("pretraining {} diverged at step {}", id, end.diverged_step));
  progress.finish("done");
  YAML::Node record;
  record["final_loss"] = last_loss;
  record["seconds"] = elapsed();
  record["parameters"] = parameter_count(*out);
  record["config"] = YAML::Load(pcfg.canonical_yaml());
  return record;
}

}  // namespace

Config pretraining_config(const Config& cfg) {
  const int64_t seed = cfg.get_int("pretrain.seed") >= 0 ? cfg.get_int("pretrain.seed") : cfg.get_int("seed");
  return cfg.with_overrides({fmt::format("pretrain.seed={}", seed)});
}

bool imports_pretrained(const Config& cfg) { return !imported_field_file(cfg).empty(); }

std::string pretrained_id(const Config& cfg) {
  if (imports_pretrained(cfg)) {
    try {
      return file_sha256(imported_field_file(cfg));
    } catch (const std::runtime_error& e) {
      throw cfg.error("pretrain.import", e.what());
    }
  }
  // The source's files by content: the same path with other contents is another model.
  const std::string files = data_files_identity(cfg, "source");
  return sha256_hex(std::string(kPretrainNumerics) + ":" + pretraining_config(cfg).hash_of(kPretrainPrefixes) + files)
      .substr(0, 16);
}

std::string pretrained_path(const Config& cfg) {
  if (imports_pretrained(cfg)) return imported_field_file(cfg);
  return ContentStore(cfg.get_string("output.pretrained_dir")).path(pretrained_id(cfg), ".pt");
}

Pretrained get_or_pretrain(const Config& cfg, const Distribution& source) {
  const Config pcfg = pretraining_config(cfg);
  Pretrained out;
  out.id = pretrained_id(cfg);
  out.path = pretrained_path(cfg);
  out.field = make_velocity_field(pcfg, source.sample_shape(), pretrain_seed(pcfg));
  if (imports_pretrained(cfg)) {
    out.reused = true;  // the module's own weights
  } else {
    const ContentStore store(cfg.get_string("output.pretrained_dir"));
    const std::string checkpoint = store.path(out.id, ".ckpt");
    out.reused = store.get_or_make(
        out.id, [&](const std::string& pt, const YAML::Node&) { load_field(*out.field, pt); },
        [&](const std::string& pt) {
          auto record = pretrain(pcfg, source, out.field, out.id, checkpoint);
          save_field(*out.field, pt);
          return record;
        });
    if (!out.reused) std::filesystem::remove(checkpoint);
  }
  out.field->eval();
  for (auto& p : out.field->parameters()) p.set_requires_grad(false);
  return out;
}

}  // namespace gftlab
