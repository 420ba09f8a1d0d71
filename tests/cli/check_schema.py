#!/usr/bin/python3
"""Checks a run file against the schema documented in docs/runs.md, the way an analysis script reads it."""
import sys

import h5py
import numpy as np

ROOT_ATTRS = ["run_id", "seed", "git_commit", "git_dirty", "config_yaml", "status", "host", "threads",
              "start_time", "end_time", "version_libtorch", "version_hdf5", "version_yaml-cpp", "version_fmt",
              "version_gftlab", "version_blas", "version_blas_core", "pretrained_id", "device"]
TRAIN = ["step", "loss", "fm_loss", "grad_norm", "lr", "beta", "lambda", "nfe", "vjp", "coupling_cost_ratio",
         "coupling_distinct_fraction"]
STABILITY_FINALS = ["loss_variance_last", "loss_variance_mean", "quality_variance_last", "quality_variance_mean",
                    "quality_spearman", "grad_spikes_per_1000", "nonfinite_events", "clipped_fraction"]
EVAL = ["w2", "sliced_w2", "mmd2", "energy", "nll", "path_length", "kinetic_energy", "straightness",
        "path_ratio", "adaptive_nfe", "w2_euler_1", "w2_euler_2"]


def yaml_int(text, key):
    """The value of the first `key: <int>` line of the canonical config (no YAML module in the stack)."""
    for line in text.splitlines():
        if line.strip().startswith(key + ":"):
            return int(line.split(":", 1)[1])
    raise KeyError(key)


def main(path):
    with h5py.File(path, "r") as f:
        for key in ROOT_ATTRS:
            assert key in f.attrs, f"missing root attribute {key}"
        assert isinstance(f.attrs["config_yaml"], str) and "method:" in f.attrs["config_yaml"]
        assert f.attrs["status"] == "complete"
        assert f.attrs["device"] == "cpu" and "cuda_version" not in f.attrs  # the CPU build's default
        assert len(f.attrs["run_id"]) == 16
        steps = f["train/step"][:]
        for name in TRAIN:
            ds = f["train/" + name]
            assert ds.ndim == 1 and ds.maxshape == (None,), f"/train/{name} is not 1-D extendible"
            assert len(ds) == len(steps) == 60, f"/train/{name} has {len(ds)} rows"
        assert np.array_equal(steps, np.arange(60))
        assert np.all(np.isfinite(f["train/loss"][:]))
        eval_steps = f["eval/step"][:]
        assert list(eval_steps) == [0, 30, 60], eval_steps
        train_seconds = f["eval/train_seconds"][:]
        assert train_seconds[0] == 0 and np.all(np.diff(train_seconds) > 0), train_seconds
        assert train_seconds[-1] < f["final/wall_seconds"][()]
        for name in EVAL:
            assert len(f["eval/" + name]) == len(eval_steps), f"/eval/{name}"
            assert f["final/" + name][()] == f["eval/" + name][-1], f"/final/{name} is not the last evaluation"
        assert f["final/wall_seconds"][()] > 0
        # gft with the default cosine schedule: beta cools from beta0 = 1 and is 0 from 70% of the steps.
        beta = f["train/beta"][:]
        assert beta[0] == 1.0 and np.all(np.diff(beta) <= 0) and np.all(beta[42:] == 0), beta
        assert np.allclose(f["train/lambda"][:], beta / (1 + beta))
        # fm_loss is the unscaled loss onto x1 - x0: the same bits as the GFT loss once beta = 0, not before.
        loss, fm_loss = f["train/loss"][:], f["train/fm_loss"][:]
        assert np.array_equal(fm_loss[beta == 0], loss[beta == 0]) and np.all(fm_loss[beta > 0] != loss[beta > 0])
        probe = f["eval/probe_fm_loss"][:]
        assert len(probe) == len(eval_steps) and np.all(np.isfinite(probe) & (probe > 0)), probe
        # The cost per step: v_theta, and the frozen v_pre only while beta > 0.
        assert np.array_equal(f["train/nfe"][:], np.where(beta > 0, 2.0, 1.0)) and not f["train/vjp"][:].any()
        assert np.all(f["train/coupling_cost_ratio"][:] > 0)
        assert np.all((f["train/coupling_distinct_fraction"][:] > 0) & (f["train/coupling_distinct_fraction"][:] <= 1))
        window = yaml_int(f.attrs["config_yaml"], "window")
        assert len(f["stability/loss_variance"]) == 60 - window + 1
        assert np.array_equal(f["stability/loss_variance_step"][:], steps[window - 1:])
        assert f["stability/grad_spike_step"].dtype == np.int64
        for name in STABILITY_FINALS:
            assert "final/" + name in f, f"missing /final/{name}"
        assert f["final/nonfinite_events"][()] == 0
        assert "final/diverged_step" not in f  # a complete run
        # The quality metric at every evaluation, the dense ones (eval.dense_every = 10 to 20) included, and its
        # noise floor (target.n_eval holds a second held-out set of eval.n_samples).
        assert list(f["quality/step"][:]) == [0, 10, 20, 30, 60], f["quality/step"][:]
        assert np.array_equal(f["quality/value"][:][[0, 3, 4]], f["eval/w2"][:])
        floor = f["final/quality_noise_floor"][()]
        assert np.isfinite(floor) and floor > 0, floor
        # The function probe: every 10 steps from the end of warm-up, 32 probe inputs x 2 dimensions.
        assert list(f["stability/probe_step"][:]) == [10, 20, 30, 40, 50, 60]
        assert f["stability/probe_output"].shape == (6 * 32 * 2,)
        assert np.all(np.isfinite(f["stability/probe_output"][:]))
    print(f"schema ok: {path}")


if __name__ == "__main__":
    main(sys.argv[1])
