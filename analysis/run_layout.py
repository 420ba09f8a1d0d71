"""The run file's layout (docs/runs.md): the HDF5 paths the analysis reads, the same names and values as
src/io/run_layout.h (tests/py/test_run_layout.py keeps them equal). A name ending in '/' is a group whose
datasets are named by what fills them: TRAIN + "nfe", EVAL + metric, FINAL + metric."""

# the per-step series; a method's and a coupling's own series are named by them (beta, nfe, vjp, ...)
TRAIN = "train/"
TRAIN_STEP = "train/step"
TRAIN_LOSS = "train/loss"
TRAIN_FM_LOSS = "train/fm_loss"
TRAIN_GRAD_NORM = "train/grad_norm"
TRAIN_LR = "train/lr"

# one value per evaluation; each metric's series is named by the metric (eval/w2, ...)
EVAL = "eval/"
EVAL_STEP = "eval/step"
EVAL_TRAIN_SECONDS = "eval/train_seconds"
EVAL_PROBE_FM_LOSS = "eval/probe_fm_loss"
EVAL_SAMPLES = "eval/samples"

# one PNG per evaluation, named by its step
EVAL_SAMPLE_GRIDS = "eval/sample_grids/"

# the dense evaluations of stability.quality_metric alone
QUALITY = "quality/"
QUALITY_STEP = "quality/step"
QUALITY_VALUE = "quality/value"

# scalars of the finished run, named by the metric or measure
FINAL = "final/"
FINAL_DIVERGED_STEP = "final/diverged_step"
FINAL_QUALITY_NOISE_FLOOR = "final/quality_noise_floor"
FINAL_WALL_SECONDS = "final/wall_seconds"
STABILITY_LOSS_VARIANCE = "stability/loss_variance"
STABILITY_LOSS_VARIANCE_STEP = "stability/loss_variance_step"
STABILITY_QUALITY_VARIANCE = "stability/quality_variance"
STABILITY_QUALITY_VARIANCE_STEP = "stability/quality_variance_step"
STABILITY_GRAD_SPIKE_STEP = "stability/grad_spike_step"
STABILITY_PROBE_STEP = "stability/probe_step"
STABILITY_PROBE_OUTPUT = "stability/probe_output"
