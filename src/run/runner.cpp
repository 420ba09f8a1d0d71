#include "run/runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>
#include <thread>

#include "core/device.h"
#include "core/file_lock.h"
#include "core/rng.h"
#include "core/stop_signal.h"
#include "coupling/coupling.h"
#include "data/distribution.h"
#include "features/feature_space.h"
#include "io/progress.h"
#include "io/run_layout.h"
#include "io/run_log.h"
#include "io/tensorboard.h"
#include "method/method.h"
#include "method/reward_classifier.h"
#include "metrics/metric.h"
#include "metrics/metric_groups.h"
#include "model/device_field.h"
#include "path/path.h"
#include "run/evaluator.h"
#include "run/run_checkpoint.h"
#include "run/run_file.h"
#include "sampler/sampler.h"
#include "train/pretrained_store.h"
#include "train/trainer.h"
#include "train/training_loop.h"

namespace gftlab {
namespace {

constexpr int64_t kFlushEvery = 25;

// One writer per run, whichever backend started it (a local sweep and a SLURM array over the same files). A
// process that was just told to stop may still be writing its checkpoint, so a held lock is waited for a while.
std::unique_ptr<FileLock> lock_run(const std::string& run_file, const std::string& run_id) {
  const auto path = std::filesystem::path(run_file).replace_extension(".lock").string();
  for (int attempt = 0; attempt < 120; ++attempt) {
    auto lock = std::make_unique<FileLock>(path, false);
    if (lock->locked()) return lock;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw std::runtime_error(fmt::format("another process is running {} (it has held {} for a minute)", run_id, path));
}

// The learned log density ratio of the target against the pretrained model, trained on this run's training
// set (or found in the store); its quality goes into the run file.
Reward classifier_reward(const Config& cfg, VelocityField& pretrained, const std::string& pretrained_id,
                         const at::Tensor& train_set, RunLog& log) {
  const auto key = fmt::format("pretrained={} target={}{} seed={}", pretrained_id, cfg.hash_of({"target"}),
                               data_files_identity(cfg, "target"), cfg.get_int("seed"));
  const auto c = get_or_train_reward_classifier(ClassifierSettings::from_config(cfg), pretrained, train_set,
                                                static_cast<uint64_t>(cfg.get_int("seed")), key,
                                                cfg.get_string("output.pretrained_dir"));
  log.attr("reward_classifier", c.id);
  log.attr("reward_classifier_accuracy", c.accuracy);
  log.attr("reward_classifier_samples_per_class", c.samples_per_class);
  log.attr("reward_classifier_calibration_error", c.calibration_error);
  return c.reward;
}

// output.tensorboard: "" beside the run file, "off" none, else that directory. A resumed run keeps the events up
// to its checkpoint's step and writes the rest again, as its run file does.
std::unique_ptr<EventFile> open_events(const Config& cfg, const std::string& run_file, int64_t resumed_step) {
  const auto where = cfg.get_string("output.tensorboard");
  if (where == "off") return nullptr;
  return std::make_unique<EventFile>(where.empty() ? events_directory_of(run_file) : where, resumed_step);
}

// The checkpoint at `path` when it belongs to this run; a foreign one (same output.file, other config) is
// ignored and later replaced.
bool resume_point(const std::string& path, const std::string& run_id, RunCheckpoint& checkpoint,
                  torch::serialize::InputArchive& trainer_state) {
  if (!read_run_checkpoint(path, checkpoint, trainer_state)) return false;
  if (checkpoint.run_id == run_id) return true;
  fmt::print(stderr, "gftlab: ignoring checkpoint {}: it belongs to run {}\n", path, checkpoint.run_id);
  checkpoint = RunCheckpoint{};
  return false;
}

}  // namespace

Runner::Runner(Config cfg) : cfg_(std::move(cfg)) {
  device_ = resolve_device(cfg_);
  source_ = make_distribution(cfg_, "source");
  target_ = make_distribution(cfg_, "target");
  if (source_->sample_shape() != target_->sample_shape())
    throw cfg_.error("target.kind", fmt::format("target samples of shape {} differ from the source's {}",
                                                target_->sample_shape(), source_->sample_shape()));
  if (cfg_.get_int("eval.n_samples") > cfg_.get_int("target.n_eval"))
    throw cfg_.error("eval.n_samples",
                     fmt::format("must not exceed target.n_eval = {}", cfg_.get_int("target.n_eval")));
  if (cfg_.get_int("target.n_train") > target_->available())
    throw cfg_.error("target.n_train", fmt::format("the target's training split has {} samples", target_->available()));
  if (cfg_.get_int("target.n_eval") > target_->available_held_out())
    throw cfg_.error("target.n_eval",
                     fmt::format("the target's test split has {} samples", target_->available_held_out()));
  restrict_trainable(cfg_, *make_velocity_field(cfg_, source_->sample_shape(), 0));  // validates the model keys
  TrainSettings::from_config(cfg_, "pretrain");
  check_method(cfg_, TrainSettings::from_config(cfg_, "finetune").steps, *target_, source_.get());
  const LinearPath path = make_path(cfg_);
  path_ = std::make_unique<LinearPath>(path);
  coupling_ = make_coupling(cfg_);
  sampler_ = make_sampler(cfg_, "eval.sampler", path.sigma(), derive_seed(cfg_.get_int("seed"), "eval-sde"));
  metrics_ = make_metrics(cfg_, *target_, derive_seed(cfg_.get_int("seed"), "eval"));
  features_ = make_feature_space(cfg_, target_->sample_shape());
  inception_ = make_inception_space(cfg_, target_->sample_shape());
  const auto& quality = cfg_.get_string("stability.quality_metric");
  const std::string& group = group_of_quality(quality).name;
  if (std::none_of(metrics_.begin(), metrics_.end(), [&](const auto& m) { return m->group() == group; }))
    throw cfg_.error("stability.quality_metric", fmt::format("'{}' is not among the evaluated metrics "
                                                             "(eval.metrics)",
                                                             quality));
  for (const auto& name : cfg_.get_string_list("eval.final_only")) final_only_.insert(name);
  if (final_only_.count(group))
    throw cfg_.error("eval.final_only", fmt::format("'{}' holds stability.quality_metric ('{}'), which needs every "
                                                    "evaluation",
                                                    group, quality));
}

Runner::~Runner() = default;

std::string Runner::output_path() const {
  if (!cfg_.get_string("output.file").empty()) return cfg_.get_string("output.file");
  return (std::filesystem::path(cfg_.get_string("output.dir")) / (cfg_.run_id() + ".h5")).string();
}

RunResult Runner::run() {
  // From here the run has state (its lock, its temporary file): a stop request is recorded and answered at the
  // next point that can checkpoint (every stage that takes long polls), never dropped.
  const StopPoint polled;
  const uint64_t seed = static_cast<uint64_t>(cfg_.get_int("seed"));
  const auto started = std::chrono::steady_clock::now();
  const std::string checkpoint_path = checkpoint_path_of(output_path());
  if (const auto dir = std::filesystem::path(output_path()).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir);
  const auto writer = lock_run(output_path(), cfg_.run_id());
  RunCheckpoint checkpoint;
  torch::serialize::InputArchive trainer_state;
  const bool resuming = resume_point(checkpoint_path, cfg_.run_id(), checkpoint, trainer_state);
  RunLog log = resuming ? RunLog(output_path(), checkpoint.log) : RunLog(output_path());
  const auto events = open_events(cfg_, output_path(), resuming ? checkpoint.step : -1);
  if (events) log.mirror_to(events.get());
  record_start(log, cfg_, resuming, checkpoint, device_);
  const RunData data = draw_run_data(cfg_, *target_, *path_);

  const auto shape = target_->sample_shape();
  FieldPtr frozen;
  FieldPtr model = make_velocity_field(cfg_, shape, derive_seed(seed, "finetune-init"));
  model->to(device_);
  Reward reward;
  if (uses_pretrained(cfg_)) {
    const auto pre = get_or_pretrain(cfg_, *source_);
    frozen = pre.field;
    frozen->to(device_);
    copy_weights(*frozen, *model);
    log.attr("pretrained_id", pre.id);
    if (imports_pretrained(cfg_)) log.attr("pretrained_file", pre.path);
    if (method_kind(cfg_).reward_based && cfg_.get_string("method.reward") == "log_ratio_classifier")
      reward = classifier_reward(cfg_, *seen_from_cpu(frozen), pre.id, data.train_set, log);
  }
  if (!cfg_.get_string_list("finetune.trainable").empty()) {
    int64_t trained = 0;
    for (const auto& name : restrict_trainable(cfg_, *model)) trained += model->named_parameters()[name].numel();
    log.attr("trainable_parameters", trained);
  }
  const auto settings = TrainSettings::from_config(cfg_, "finetune");
  const auto method = make_method(cfg_, settings.steps, frozen, *target_, source_.get(), reward);
  const at::Tensor& train_set = data.train_set;
  FieldPtr shadow = make_velocity_field(cfg_, shape, 0);
  shadow->to(device_);
  Trainer trainer(model, shadow, *method, *path_, *coupling_,
                  {[&train_set](int64_t n, at::Generator& gen) {
                     return train_set.index_select(0, at::randint(0, train_set.size(0), {n}, gen, at::kLong));
                   },
                   shape},
                  settings, make_generator(seed, "finetune"));
  if (resuming) trainer.load(trainer_state);

  History& history = checkpoint.history;
  Evaluator evaluator(cfg_, metrics_, final_only_, *sampler_, features_.get(), inception_.get(), data, settings.steps);
  const FieldPtr evaluated = seen_from_cpu(trainer.ema().averaged_ptr());  // metrics run on the CPU
  const auto evaluate = [&](int64_t step) { evaluator(*evaluated, step, checkpoint.train_seconds, log, history); };
  const auto elapsed = [&] {
    return checkpoint.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const int64_t every = cfg_.get_int("eval.every");
  LoopHooks hooks;
  hooks.evaluates_at = [&](int64_t s) { return s == settings.steps || (every > 0 && s % every == 0); };
  hooks.step_seconds = [&](double seconds) { checkpoint.train_seconds += seconds; };
  const int64_t probe_every = cfg_.get_int("stability.probe_every");
  const int64_t dense_every = cfg_.get_int("eval.dense_every"), dense_until = cfg_.get_int("eval.dense_until");
  const FunctionProbe probe(data.probe, cfg_.get_int("stability.probe_points"), cfg_.get_int("stability.probe_coords"),
                            derive_seed(seed, "function-probe"), device_);
  hooks.after_step = [&](int64_t s) {
    if (probe_every > 0 && s >= settings.lr.warmup_steps && s % probe_every == 0) {
      log.append(run_layout::kStabilityProbeStep, std::vector<int64_t>{s});
      log.append(run_layout::kStabilityProbeOutput, probe(*model));
    }
    if (dense_every > 0 && s <= dense_until && s % dense_every == 0 && !hooks.evaluates_at(s))
      evaluator.quality_only(*evaluated, s, log);
  };
  hooks.on_chunk = [&](const SeriesChunk& chunk) {
    write_chunk(log, chunk, trainer.series_names());
    history.add(chunk, written_length(chunk));
  };
  hooks.evaluate = evaluate;
  hooks.save_checkpoint = [&](int64_t step) {
    const RunCheckpoint next{
        cfg_.run_id(),  step,   elapsed(), checkpoint.train_seconds, checkpoint.resumes + (resuming ? 1 : 0),
        log.snapshot(), history};
    write_run_checkpoint(checkpoint_path, next, trainer);
  };
  hooks.stopped = [&](int64_t s) {
    return fmt::format(
        "{} stopped run {} at step {}/{}; its checkpoint {} continues it (run the same command "
        "again)",
        stop_signal_name(), cfg_.run_id(), s, settings.steps, checkpoint_path);
  };

  Progress progress(cfg_.get_string("progress"), "finetune " + cfg_.run_id(), settings.steps);
  if (every > 0 && !resuming) evaluate(0);
  CheckpointClock clock(cfg_.get_float("checkpoint.every_seconds"));
  const LoopEnd end = run_training_loop(trainer, settings.steps, kFlushEvery, progress, clock, hooks);
  if (settings.steps == 0 && every == 0) evaluate(0);
  progress.finish(end.diverged ? fmt::format("diverged at step {}", end.diverged_step) : "complete");

  write_finals(log, cfg_, end, evaluator.last(), evaluator.noise_floor(*evaluated), history, features_.get(),
               inception_.get(), elapsed());
  log.commit();
  std::filesystem::remove(checkpoint_path);
  return {end.diverged ? RunStatus::kDiverged : RunStatus::kComplete, log.final_path()};
}

}  // namespace gftlab
