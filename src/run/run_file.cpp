#include "run/run_file.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include "core/config.h"
#include "core/device.h"
#include "core/runtime.h"
#include "core/sha256.h"
#include "data/distribution.h"
#include "features/feature_space.h"
#include "io/png.h"
#include "io/run_layout.h"
#include "io/run_log.h"
#include "metrics/metric.h"
#include "metrics/stability.h"
#include "run/run_checkpoint.h"
#include "train/trainer.h"
#include "train/training_loop.h"

namespace gftlab {
namespace {

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
  const auto tail = [](const auto& v, size_t n) {
    return std::vector<int64_t>(v.end() - static_cast<int64_t>(n), v.end());
  };
  if (!h.fm_loss.empty()) {
    log.append(run_layout::kStabilityLossVariance, report.loss_variance);
    log.append(run_layout::kStabilityLossVarianceStep, tail(h.steps, report.loss_variance.size()));
  }
  log.append(run_layout::kStabilityQualityVariance, report.quality_variance);
  log.append(run_layout::kStabilityQualityVarianceStep, tail(h.eval_steps, report.quality_variance.size()));
  log.append(run_layout::kStabilityGradSpikeStep, report.spike_steps);
  for (const auto& [name, value] : report.finals) log.scalar(run_layout::kFinal + name, value);
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

}  // namespace

// A diverged chunk is written up to and including its first non-finite step.
size_t written_length(const SeriesChunk& chunk) {
  return chunk.first_nonfinite >= 0 ? static_cast<size_t>(chunk.first_nonfinite) + 1 : chunk.step.size();
}

void write_chunk(RunLog& log, const SeriesChunk& chunk, const std::vector<std::string>& extra_series) {
  const size_t n = written_length(chunk);
  const auto head = [n](const auto& v) {
    return std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin(), v.begin() + n);
  };
  log.append(run_layout::kTrainStep, head(chunk.step));
  log.append(run_layout::kTrainLoss, head(chunk.loss));
  if (!chunk.fm_loss.empty()) log.append(run_layout::kTrainFmLoss, head(chunk.fm_loss));
  log.append(run_layout::kTrainGradNorm, head(chunk.grad_norm));
  log.append(run_layout::kTrainLr, head(chunk.lr));
  for (size_t k = 0; k < extra_series.size(); ++k)
    log.append(run_layout::kTrain + extra_series[k], head(chunk.extra[k]));
}

// Image runs keep the first few generated images of every evaluation (same noise each time): as 8-bit
// arrays for analysis, and tiled into a PNG file per evaluation for a quick look.
void write_sample_grid(RunLog& log, EvalContext& ctx, int64_t count, int64_t step) {
  if (ctx.reference().dim() != 4 || count == 0) return;
  const auto images = ctx.generated().narrow(0, 0, std::min(count, ctx.generated().size(0))).select(1, 0);
  const auto pixels = ((images.nan_to_num(0.0).clamp(-1, 1) + 1) * 127.5).round().to(at::kByte).contiguous();
  const std::vector<uint8_t> bytes(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
  log.append_images(run_layout::kEvalSamples, bytes, pixels.size(0), pixels.size(1), pixels.size(2));
  int64_t height = 0, width = 0;
  const auto grid = tile_images(bytes, pixels.size(0), pixels.size(1), pixels.size(2), 2, &height, &width);
  log.bytes(run_layout::kEvalSampleGrids + std::to_string(step), encode_png_gray(grid, height, width));
}

// One value of the quality metric (stability.quality_metric) at `step`: the series the speed measure reads.
void append_quality(RunLog& log, int64_t step, double value) {
  log.append(run_layout::kQualityStep, std::vector<int64_t>{step});
  log.append(run_layout::kQualityValue, std::vector<double>{value});
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

// The final values, the stability measures and the status; a diverged run keeps its evaluation history
// under /eval but reports no final quality.
void write_finals(RunLog& log, const Config& cfg, const LoopEnd& end, const std::map<std::string, double>& last,
                  double noise_floor, const History& history, FeatureSpace* features, FeatureSpace* inception,
                  double seconds) {
  if (!end.diverged)
    for (const auto& [name, value] : last) log.scalar(run_layout::kFinal + name, value);
  else
    log.scalar(run_layout::kFinalDivergedStep, static_cast<double>(end.diverged_step));
  if (std::isfinite(noise_floor)) log.scalar(run_layout::kFinalQualityNoiseFloor, noise_floor);
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
  log.scalar(run_layout::kFinalWallSeconds, seconds);
  log.attr("status", std::string(end.diverged ? "diverged" : "complete"));
  log.attr("end_time", utc_now_iso8601());
}

}  // namespace gftlab
