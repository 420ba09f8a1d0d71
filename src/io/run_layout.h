// The run file's layout (docs/runs.md): every HDF5 path that a run writes and that the reader, `collect` and the
// analysis read, in one place. analysis/run_layout.py holds the same names for Python; tests/py/test_run_layout.py
// keeps the two equal and finds any path spelled out elsewhere. A name ending in '/' is a group whose datasets are
// named by what fills them.
#pragma once

namespace gftlab::run_layout {

// the per-step series; a method's and a coupling's own series are named by them (beta, nfe, vjp, ...)
inline constexpr char kTrain[] = "train/";
inline constexpr char kTrainStep[] = "train/step";
inline constexpr char kTrainLoss[] = "train/loss";
inline constexpr char kTrainFmLoss[] = "train/fm_loss";
inline constexpr char kTrainGradNorm[] = "train/grad_norm";
inline constexpr char kTrainLr[] = "train/lr";

// one value per evaluation; each metric's series is named by the metric (eval/w2, ...)
inline constexpr char kEval[] = "eval/";
inline constexpr char kEvalStep[] = "eval/step";
inline constexpr char kEvalTrainSeconds[] = "eval/train_seconds";
inline constexpr char kEvalProbeFmLoss[] = "eval/probe_fm_loss";
inline constexpr char kEvalSamples[] = "eval/samples";

// one PNG per evaluation, named by its step
inline constexpr char kEvalSampleGrids[] = "eval/sample_grids/";

// the dense evaluations of stability.quality_metric alone
inline constexpr char kQuality[] = "quality/";
inline constexpr char kQualityStep[] = "quality/step";
inline constexpr char kQualityValue[] = "quality/value";

// scalars of the finished run, named by the metric or measure
inline constexpr char kFinal[] = "final/";
inline constexpr char kFinalDivergedStep[] = "final/diverged_step";
inline constexpr char kFinalQualityNoiseFloor[] = "final/quality_noise_floor";
inline constexpr char kFinalWallSeconds[] = "final/wall_seconds";
inline constexpr char kStabilityLossVariance[] = "stability/loss_variance";
inline constexpr char kStabilityLossVarianceStep[] = "stability/loss_variance_step";
inline constexpr char kStabilityQualityVariance[] = "stability/quality_variance";
inline constexpr char kStabilityQualityVarianceStep[] = "stability/quality_variance_step";
inline constexpr char kStabilityGradSpikeStep[] = "stability/grad_spike_step";
inline constexpr char kStabilityProbeStep[] = "stability/probe_step";
inline constexpr char kStabilityProbeOutput[] = "stability/probe_output";

}  // namespace gftlab::run_layout
