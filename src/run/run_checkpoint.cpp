#include "run/run_checkpoint.h"

#include "run/runner.h"

#include <filesystem>

namespace gftlab {
namespace {

// Bumped whenever the layout changes; an older checkpoint is then not continued.
constexpr int64_t kFormat = 3;  // 2: train_seconds; 3: fm_loss

}  // namespace

void History::add(const SeriesChunk& chunk, size_t n) {
  steps.insert(steps.end(), chunk.step.begin(), chunk.step.begin() + n);
  loss.insert(loss.end(), chunk.loss.begin(), chunk.loss.begin() + n);
  if (!chunk.fm_loss.empty()) fm_loss.insert(fm_loss.end(), chunk.fm_loss.begin(), chunk.fm_loss.begin() + n);
  grad_norm.insert(grad_norm.end(), chunk.grad_norm.begin(), chunk.grad_norm.begin() + n);
}

std::string checkpoint_path_of(const std::string& run_file) {
  return std::filesystem::path(run_file).replace_extension(".ckpt").string();
}

void write_run_checkpoint(const std::string& path, const RunCheckpoint& c, Trainer& trainer) {
  torch::serialize::OutputArchive archive, trainer_state;
  trainer.save(trainer_state);
  archive.write("trainer", trainer_state);
  archive.write("format", c10::IValue(kFormat));
  archive.write("run_id", c10::IValue(c.run_id));
  archive.write("step", c10::IValue(c.step));
  archive.write("seconds", c10::IValue(c.seconds));
  archive.write("train_seconds", c10::IValue(c.train_seconds));
  archive.write("resumes", c10::IValue(c.resumes));
  write_vector(archive, "log", c.log);
  write_vector(archive, "history_steps", c.history.steps);
  write_vector(archive, "history_eval_steps", c.history.eval_steps);
  write_vector(archive, "history_loss", c.history.loss);
  write_vector(archive, "history_fm_loss", c.history.fm_loss);
  write_vector(archive, "history_grad_norm", c.history.grad_norm);
  write_vector(archive, "history_quality", c.history.quality);
  write_archive_atomically(archive, path);
}

bool read_run_checkpoint(const std::string& path, RunCheckpoint& c, torch::serialize::InputArchive& trainer_state) {
  if (!std::filesystem::exists(path)) return false;
  torch::serialize::InputArchive archive;
  archive.load_from(path, at::Device(at::kCPU));  // whatever device wrote it
  c10::IValue format, run_id, step, seconds, train_seconds, resumes;
  archive.read("format", format);
  if (format.toInt() != kFormat)
    throw std::runtime_error(path + " was written by another gftlab version (checkpoint format " +
                             std::to_string(format.toInt()) + "); delete it to start the run afresh");
  archive.read("run_id", run_id);
  archive.read("step", step);
  archive.read("seconds", seconds);
  archive.read("train_seconds", train_seconds);
  archive.read("resumes", resumes);
  archive.read("trainer", trainer_state);
  c.run_id = run_id.toStringRef();
  c.step = step.toInt();
  c.seconds = seconds.toDouble();
  c.train_seconds = train_seconds.toDouble();
  c.resumes = resumes.toInt();
  c.log = read_vector<uint8_t>(archive, "log");
  c.history.steps = read_vector<int64_t>(archive, "history_steps");
  c.history.eval_steps = read_vector<int64_t>(archive, "history_eval_steps");
  c.history.loss = read_vector<double>(archive, "history_loss");
  c.history.fm_loss = read_vector<double>(archive, "history_fm_loss");
  c.history.grad_norm = read_vector<double>(archive, "history_grad_norm");
  c.history.quality = read_vector<double>(archive, "history_quality");
  return true;
}

}  // namespace gftlab
