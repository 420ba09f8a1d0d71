#!/usr/bin/python3
"""Writes Fashion-MNIST as a researcher's own data would come: HDF5 files that gftlab's `files` distribution
reads (docs/own_files.md), for experiments/own_data.yaml.

  export_fashion_mnist.py OUT_DIR [FASHION_MNIST_DIR]

OUT_DIR/fashion_mnist_train.h5 and fashion_mnist_test.h5, each with `images` (uint8 N x 1 x 28 x 28, chunked
and compressed) and `labels` (int64 N), from Debian's dataset-fashion-mnist. A file already there is kept;
each is written under a temporary name and renamed when complete. SIGTERM or SIGINT stops it with exit 4 (as
gftlab's stages), removing the file in progress; the same command finishes the job."""
import gzip
import os
import pathlib
import signal
import sys

import h5py
import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


EXIT_INTERRUPTED = 4  # gftlab's exit code for a stop on request (core/stop_signal.h)


class Stopped(Exception):
    pass


def stop(signum, _frame):
    raise Stopped(signal.Signals(signum).name)


def export(out, source):
    out.mkdir(parents=True, exist_ok=True)
    for split, stem in (("train", "train"), ("test", "t10k")):
        target = out / f"fashion_mnist_{split}.h5"
        if target.exists():
            continue
        images = read_idx(source / f"{stem}-images-idx3-ubyte.gz")[:, None]
        labels = read_idx(source / f"{stem}-labels-idx1-ubyte.gz").astype(np.int64)
        partial = target.with_name(f"{target.name}.tmp.{os.getpid()}")
        try:
            with h5py.File(partial, "w") as f:
                f.create_dataset("images", data=images, chunks=(1000, 1, 28, 28), compression="gzip")
                f.create_dataset("labels", data=labels)
            partial.rename(target)
        finally:
            partial.unlink(missing_ok=True)
        print(f"wrote {target}: {images.shape[0]} images")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        export(pathlib.Path(sys.argv[1]),
               pathlib.Path(sys.argv[2] if len(sys.argv) == 3 else "/usr/share/datasets/fashion-mnist"))
    except Stopped as e:
        print(f"export_fashion_mnist: interrupted: {e} stopped the export; the files written so far are complete, "
              "and the same command writes the rest", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
