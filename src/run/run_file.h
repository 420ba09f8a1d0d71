// The run file's layout (docs/runs.md): what a run writes into its HDF5 file through RunLog, in one place.
// The runner and its evaluator call these; the reader (io/run_file_reader) and `collect` read what they write.
#pragma once

#include <c10/core/Device.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class EvalContext;
class FeatureSpace;
class RunLog;
struct History;
struct LoopEnd;
struct RunCheckpoint;
struct SeriesChunk;

// A diverged chunk is written up to and including its first non-finite step.
size_t written_length(const SeriesChunk& chunk);
// /train/*: the per-step series (loss, fm_loss, grad_norm, lr and the method's and coupling's own).
void write_chunk(RunLog& log, const SeriesChunk& chunk, const std::vector<std::string>& extra_series);
// /eval/samples and /eval/sample_grids/<step> of an image run.
void write_sample_grid(RunLog& log, EvalContext& ctx, int64_t count, int64_t step);
// /quality/step and /quality/value.
void append_quality(RunLog& log, int64_t step, double value);
// A new run file gets the provenance, a continued one its resume; both the SLURM ids.
void record_start(RunLog& log, const Config& cfg, bool resuming, const RunCheckpoint& checkpoint,
                  const at::Device& device);
// /final/*, /stability/*, the feature spaces' names and the status.
void write_finals(RunLog& log, const Config& cfg, const LoopEnd& end, const std::map<std::string, double>& last,
                  double noise_floor, const History& history, FeatureSpace* features, FeatureSpace* inception,
                  double seconds);

}  // namespace gftlab
