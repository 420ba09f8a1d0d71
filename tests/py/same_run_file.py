#!/usr/bin/python3
"""Exits 0 when two run files hold the same results bit for bit: every dataset (values, dtype, shape) and every
attribute except those that describe the execution (times, host, device, resumes, SLURM ids, and in config_yaml the
keys that are not part of the run_id: output, progress, threads, checkpoint, device), final/wall_seconds and
eval/train_seconds."""
import sys

import h5py
import numpy as np

EXECUTION_ATTRS = {"start_time", "end_time", "host", "resumes", "resumed_from_step", "device", "device_name",
                   "cuda_version", "cudnn_version"}
EXECUTION_DATASETS = {"final/wall_seconds", "eval/train_seconds"}
# `gftlab config --reference`: not in the run_id
EXECUTION_KEYS = ("output:", "progress:", "threads:", "checkpoint:", "device:", "cudnn_benchmark:")


def without_execution_keys(config_yaml):
    lines, skipping = [], False
    for line in config_yaml.splitlines():
        if not line.startswith(" "):
            skipping = line.startswith(EXECUTION_KEYS)
        if not skipping:
            lines.append(line)
    return "\n".join(lines)


def contents(path):
    datasets, attrs = {}, {}
    with h5py.File(path, "r") as f:
        for key, value in f.attrs.items():
            if key not in EXECUTION_ATTRS and not key.startswith("slurm_"):
                attrs[key] = value
        attrs["config_yaml"] = without_execution_keys(attrs["config_yaml"])
        f.visititems(lambda name, obj: datasets.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    for name in EXECUTION_DATASETS:
        datasets.pop(name, None)
    return datasets, attrs


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return a.tobytes() == b.tobytes()  # NaNs compare equal when their bits do


def main(first, second):
    (d1, a1), (d2, a2) = contents(first), contents(second)
    problems = [f"dataset {k} only in one file" for k in sorted(set(d1) ^ set(d2))]
    problems += [f"dataset {k} differs" for k in sorted(set(d1) & set(d2)) if not same(d1[k], d2[k])]
    problems += [f"attribute {k} only in one file" for k in sorted(set(a1) ^ set(a2))]
    problems += [f"attribute {k} differs: {a1[k]!r} vs {a2[k]!r}" for k in sorted(set(a1) & set(a2)) if not same(a1[k], a2[k])]
    for p in problems:
        print(p)
    print(f"{len(d1)} datasets and {len(a1)} attributes compared: {'identical' if not problems else 'DIFFERENT'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
