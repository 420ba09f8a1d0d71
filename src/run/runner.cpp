#include "run/runner.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <set>
#include <thread>

#include "core/device.h"
#include "core/file_lock.h"
#include "core/rng.h"
#include "core/runtime.h"
#include "core/sha256.h"
#include "core/stop_signal.h"
#include "coupling/coupling.h"
#include "data/distribution.h"
#include "features/feature_space.h"
#include "io/png.h"
#include "io/progress.h"
#include "io/run_log.h"
#include "method/method.h"
#include "method/reward_classifier.h"
#include "metrics/metric.h"
#include "metrics/stability.h"
#include "model/device_field.h"
#include "path/path.h"
#include "run/run_checkpoint.h"
#include "sampler/sampler.h"
#include "train/pretrained_store.h"
#include "train/probe_loss.h"
#include "train/trainer.h"
#include "train/training_loop.h"

namespace gftlab {
namespace {

constexpr int64_t kFlushEvery = 25;

// The metric group that computes a quality metric.
std::string quality_group(const std::string& metric) { return metric == "mmd2" ? "mmd" : metric; }

// A diverged chunk is written up to and including its first non-finite step.
size_t written_length(const SeriesChunk& chunk) {
  return chunk.first_nonfinite >= 0 ? static_cast<size_t>(chunk.first_nonfinite) + 1 : chunk.step.size();
}

void write_chunk(RunLog& log, const SeriesChunk& chunk, const std::vector<std::string>& extra_series) {
  const size_t n = written_length(chunk);
  const auto head = [n](const auto& v) { return std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin(), v.begin() + n); };
  log.append("train/step", head(chunk.step));
  log.append("train/loss", head(chunk.loss));
  if (!chunk.fm_loss.empty()) log.append("train/fm_loss", head(chunk.fm_loss));
  log.append("train/grad_norm", head(chunk.grad_norm));
  log.append("train/lr", head(chunk.lr));
  for (size_t k = 0; k < extra_series.size(); ++k) log.append("train/" + extra_series[k], head(chunk.extra[k]));
}

void write_stability(RunLog& log, const History& h, const Config& cfg) {
  StabilitySettings s;
  s.window = cfg.get_int("stability.window");
  s.eval_window = cfg.get_int("stability.eval_window");
  s.spike_mads = cfg.get_float("stability.spike_mads");
  s.spike_settle = cfg.get_int("stability.spike_settle");
  s.spike_settle_mads = cfg.get_float("stability.spike_settle_mads");
  s.warmup_steps = TrainSettings::from_config(cfg, "finetune").lr.warmup_steps;
  s.grad_clip = cfg.get_float("finetune.grad_clip");
  const auto report = measure_stability(h.steps, h.loss, h.fm_loss, h.grad_norm, h.eval_steps, h.quality, s);
  const auto tail = [](const auto& v, size_t n) { return std::vector<int64_t>(v.end() - static_cast<int64_t>(n), v.end()); };
  if (!h.fm_loss.empty()) {
    log.append("stability/loss_variance", report.loss_variance);
    log.append("stability/loss_variance_step", tail(h.steps, report.loss_variance.size()));
  }
  log.append("stability/quality_variance", report.quality_variance);
  log.append("stability/quality_variance_step", tail(h.eval_steps, report.quality_variance.size()));
  log.append("stability/grad_spike_step", report.spike_steps);
  for (const auto& [name, value] : report.finals) log.scalar("final/" + name, value);
}

// Image runs keep the first few generated images of every evaluation (same noise each time): as 8-bit
// arrays for analysis, and tiled into a PNG file per evaluation for a quick look.
void write_sample_grid(RunLog& log, EvalContext& ctx, int64_t count, int64_t step) {
  if (ctx.reference().dim() != 4 || count == 0) return;
  const auto images = ctx.generated().narrow(0, 0, std::min(count, ctx.generated().size(0))).select(1, 0);
  const auto pixels = ((images.nan_to_num(0.0).clamp(-1, 1) + 1) * 127.5).round().to(at::kByte).contiguous();
  const std::vector<uint8_t> bytes(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
  log.append_images("eval/samples", bytes, pixels.size(0), pixels.size(1), pixels.size(2));
  int64_t height = 0, width = 0;
  const auto grid = tile_images(bytes, pixels.size(0), pixels.size(1), pixels.size(2), 2, &height, &width);
  log.bytes(fmt::format("eval/sample_grids/{}", step), encode_png_gray(grid, height, width));
}

void write_provenance(RunLog& log, const Config& cfg, int threads, const at::Device& device) {
  const auto prov = collect_provenance();
  log.attr("run_id", cfg.run_id());
  log.attr("seed", cfg.get_int("seed"));
  log.attr("git_commit", prov.git_commit);
  log.attr("git_dirty", static_cast<int64_t>(prov.git_dirty));
  log.attr("config_yaml", cfg.canonical_yaml());
  log.attr("host", prov.host);
  log.attr("threads", static_cast<int64_t>(threads));
  log.attr("start_time", utc_now_iso8601());
  for (const auto& [lib, version] : prov.versions) log.attr("version_" + lib, version);
  for (const auto& [name, value] : device_record(device)) log.attr(name, value);
  for (const std::string prefix : {"source", "target"})
    for (const auto& file : data_files(cfg, prefix)) {
      log.attr(fmt::format("{}_{}_file", prefix, file.role), file.path);
      log.attr(fmt::format("{}_{}_sha256", prefix, file.role), file_sha256(file.path));
    }
}

// Written at every start, so a requeued task records its restart count.
void write_slurm_ids(RunLog& log) {
  for (const char* name : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_RESTART_COUNT"})
    if (const char* value = std::getenv(name)) {
      std::string attr = name;
      std::transform(attr.begin(), attr.end(), attr.begin(), [](unsigned char c) { return std::tolower(c); });
      log.attr(attr, std::string(value));
    }
}

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

// What a run draws from its seed before training: the finite training set, the held-out reference samples,
// the fixed evaluation noise and the probe set, each from its own generator.
struct RunData {
  at::Tensor train_set, reference, noise;
  at::Tensor floor_set;  // held-out samples disjoint from `reference`, as many (undefined when too few)
  ProbeSet probe;
};

RunData draw_run_data(const Config& cfg, const Distribution& target, const Path& path) {
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("seed"));
  RunData d;
  auto data_gen = make_generator(seed, "target-data");
  d.train_set = target.sample(cfg.get_int("target.n_train"), data_gen);
  const at::Tensor eval_set = target.held_out(cfg.get_int("target.n_eval"), data_gen);
  const int64_t n = cfg.get_int("eval.n_samples");
  d.reference = eval_set.narrow(0, 0, n);
  if (eval_set.size(0) >= 2 * n) d.floor_set = eval_set.narrow(0, n, n);
  d.probe = make_probe_set(eval_set, path, cfg.get_int("eval.probe_samples"), seed);
  auto noise_gen = make_generator(seed, "eval-noise");
  d.noise = at::randn(d.reference.sizes(), noise_gen, at::kFloat);
  return d;
}

// A new run file gets the provenance, a continued one its resume.
void record_start(RunLog& log, const Config& cfg, bool resuming, const RunCheckpoint& checkpoint,
                  const at::Device& device) {
  if (resuming) {
    log.attr("resumes", checkpoint.resumes + 1);
    log.attr("resumed_from_step", checkpoint.step);
    fmt::print(stderr, "gftlab: continuing {} from its checkpoint at step {}\n", cfg.run_id(), checkpoint.step);
  } else {
    write_provenance(log, cfg, at::get_num_threads(), device);
  }
  write_slurm_ids(log);
}

// One evaluation of the EMA model: every metric group (the final-only ones at the last step), the probe
// loss and the sample grid into the log, and the quality metric into the stability history.
class Evaluator {
 public:
  Evaluator(const Config& cfg, std::vector<std::unique_ptr<Metric>>& metrics, const std::set<std::string>& final_only,
            const Sampler& sampler, FeatureSpace* features, FeatureSpace* inception, const RunData& data,
            int64_t last_step)
      : cfg_(cfg), metrics_(metrics), final_only_(final_only), sampler_(sampler), features_(features),
        inception_(inception), data_(data), last_step_(last_step) {}

  void operator()(VelocityField& model, int64_t step, double train_seconds, RunLog& log, History& history) {
    EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
    log.append("eval/step", std::vector<int64_t>{step});
    log.append("eval/train_seconds", std::vector<double>{train_seconds});
    log.append("eval/probe_fm_loss", std::vector<double>{probe_fm_loss(model, data_.probe)});
    for (auto& metric : metrics_) {
      const bool once = final_only_.count(metric->group()) > 0;
      if (once && step != last_step_) continue;
      stop_if_asked(fmt::format("evaluating '{}' at step {}", metric->group(), step), kContinuesRun);
      for (const auto& [name, value] : metric->compute(ctx)) {
        if (!once) log.append("eval/" + name, std::vector<double>{value});
        last_[name] = value;
      }
    }
    write_sample_grid(log, ctx, cfg_.get_int("eval.grid_samples"), step);
    const double q = last_.at(cfg_.get_string("stability.quality_metric"));
    append_quality(log, step, q);
    history.eval_steps.push_back(step);
    history.quality.push_back(q);
    log.flush();
  }
  // The quality metric alone, between the full evaluations (eval.dense_every): the speed measure's crossing.
  void quality_only(VelocityField& model, int64_t step, RunLog& log) {
    EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
    const auto& name = cfg_.get_string("stability.quality_metric");
    for (auto& metric : metrics_)
      if (metric->group() == quality_group(name))
        for (const auto& [metric_name, value] : metric->compute(ctx))
          if (metric_name == name) append_quality(log, step, value);
  }
  // The quality metric between two disjoint held-out sets of its own size: the smallest difference it resolves.
  double noise_floor(VelocityField& model) {
    const auto& name = cfg_.get_string("stability.quality_metric");
    if (!data_.floor_set.defined() || (name != "w2" && name != "fd")) return std::nan("");
    EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
    return name == "w2" ? ctx.w2_to_reference(data_.floor_set) : ctx.frechet_to_reference(data_.floor_set);
  }
  // Each metric's value at the latest evaluation.
  const std::map<std::string, double>& last() const { return last_; }

 private:
  const Config& cfg_;
  std::vector<std::unique_ptr<Metric>>& metrics_;
  const std::set<std::string>& final_only_;
  const Sampler& sampler_;
  FeatureSpace* features_;
  FeatureSpace* inception_;
  const RunData& data_;
  int64_t last_step_;
  std::map<std::string, double> last_;

  static void append_quality(RunLog& log, int64_t step, double value) {
    log.append("quality/step", std::vector<int64_t>{step});
    log.append("quality/value", std::vector<double>{value});
  }
};

// The final values, the stability measures and the status; a diverged run keeps its evaluation history
// under /eval but reports no final quality.
void write_finals(RunLog& log, const Config& cfg, const LoopEnd& end, const std::map<std::string, double>& last,
                  double noise_floor, const History& history, FeatureSpace* features, FeatureSpace* inception,
                  double seconds) {
  if (!end.diverged)
    for (const auto& [name, value] : last) log.scalar("final/" + name, value);
  else
    log.scalar("final/diverged_step", static_cast<double>(end.diverged_step));
  if (std::isfinite(noise_floor)) log.scalar("final/quality_noise_floor", noise_floor);
  write_stability(log, history, cfg);
  const auto n = cfg.get_int("eval.n_samples");
  if (features && features->loaded()) {
    const auto& net = features->extractor();
    log.attr("feature_net", net.name);
    if (net.net) log.attr("feature_net_accuracy", net.test_accuracy);
    if (!net.file.empty()) log.attr("feature_net_sha256", net.id);
    log.attr("fd_name", fmt::format("FD-{}-{}", net.name, n));
  }
  if (inception && inception->loaded()) {
    log.attr("fid_name", fmt::format("FID-{}", n));
    log.attr("kid_name", fmt::format("KID-{}", n));
    log.attr("fid_inception_sha256", inception->extractor().id);
  }
  log.scalar("final/wall_seconds", seconds);
  log.attr("status", std::string(end.diverged ? "diverged" : "complete"));
  log.attr("end_time", utc_now_iso8601());
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
    throw cfg_.error("eval.n_samples", fmt::format("must not exceed target.n_eval = {}", cfg_.get_int("target.n_eval")));
  if (cfg_.get_int("target.n_train") > target_->available())
    throw cfg_.error("target.n_train", fmt::format("the target's training split has {} samples", target_->available()));
  if (cfg_.get_int("target.n_eval") > target_->available_held_out())
    throw cfg_.error("target.n_eval", fmt::format("the target's test split has {} samples", target_->available_held_out()));
  restrict_trainable(cfg_, *make_velocity_field(cfg_, source_->sample_shape(), 0));  // validates the model keys
  TrainSettings::from_config(cfg_, "pretrain");
  TrainSettings::from_config(cfg_, "finetune");
  check_method(cfg_, *target_, source_.get());
  path_ = std::make_unique<LinearPath>(cfg_.get_float("path.sigma"));
  coupling_ = make_coupling(cfg_);
  sampler_ = make_sampler(cfg_, "eval.sampler", derive_seed(cfg_.get_int("seed"), "eval-sde"));
  metrics_ = make_metrics(cfg_, *target_, derive_seed(cfg_.get_int("seed"), "eval"));
  features_ = make_feature_space(cfg_, target_->sample_shape());
  inception_ = make_inception_space(cfg_, target_->sample_shape());
  const auto& quality = cfg_.get_string("stability.quality_metric");
  const std::string group = quality_group(quality);
  if (std::none_of(metrics_.begin(), metrics_.end(), [&](const auto& m) { return m->group() == group; }))
    throw cfg_.error("stability.quality_metric", fmt::format("'{}' is not among the evaluated metrics "
                                                             "(eval.metrics)", quality));
  for (const auto& name : cfg_.get_string_list("eval.final_only")) final_only_.insert(name);
  if (final_only_.count(group))
    throw cfg_.error("eval.final_only", fmt::format("'{}' holds stability.quality_metric ('{}'), which needs every "
                                                    "evaluation", group, quality));
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
    if (is_reward_method(method_kind(cfg_)) && cfg_.get_string("method.reward") == "log_ratio_classifier")
      reward = classifier_reward(cfg_, *seen_from_cpu(frozen), pre.id, data.train_set, log);
  }
  if (!cfg_.get_string_list("finetune.trainable").empty()) {
    int64_t trained = 0;
    for (const auto& name : restrict_trainable(cfg_, *model)) trained += model->named_parameters()[name].numel();
    log.attr("trainable_parameters", trained);
  }
  const auto method = make_method(cfg_, frozen, *target_, source_.get(), reward);
  const auto settings = TrainSettings::from_config(cfg_, "finetune");
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
  const auto evaluate = [&](int64_t step) {
    evaluator(*evaluated, step, checkpoint.train_seconds, log, history);
  };
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
      log.append("stability/probe_step", std::vector<int64_t>{s});
      log.append("stability/probe_output", probe(*model));
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
    const RunCheckpoint next{cfg_.run_id(), step, elapsed(), checkpoint.train_seconds,
                             checkpoint.resumes + (resuming ? 1 : 0), log.snapshot(), history};
    write_run_checkpoint(checkpoint_path, next, trainer);
  };
  hooks.stopped = [&](int64_t s) {
    return fmt::format("{} stopped run {} at step {}/{}; its checkpoint {} continues it (run the same command "
                       "again)", stop_signal_name(), cfg_.run_id(), s, settings.steps, checkpoint_path);
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
