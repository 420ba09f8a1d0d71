#!/usr/bin/python3
"""Writes the data files the `files` distribution kind is tested with, by numpy and h5py (not by gftlab):

  data_files.py write DIR [FASHION_MNIST_DIR]

Fashion-MNIST's splits as .npy (uint8 N x 1 x 28 x 28, int64 labels in their own files) and as HDF5 (by
analysis/export_fashion_mnist.py: chunked and compressed, so that rows are read across chunks), small float vector sets, colour images for the U-Net's
shapes, and one file for each problem the loader must refuse."""
import pathlib
import sys

import h5py
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import export_fashion_mnist  # noqa: E402


def write_fashion_mnist(out, source):
    export_fashion_mnist.export(out, source)  # fashion_mnist_{train,test}.h5: `images`, `labels`
    for split, stem in (("train", "train"), ("test", "t10k")):
        np.save(out / f"fmnist_{split}.npy", export_fashion_mnist.read_idx(source / f"{stem}-images-idx3-ubyte.gz")[:, None])
        labels = export_fashion_mnist.read_idx(source / f"{stem}-labels-idx1-ubyte.gz")
        np.save(out / f"fmnist_{split}_labels.npy", labels.astype(np.int64))


def write_vectors(out):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    np.save(out / "vectors.npy", x)
    with h5py.File(out / "vectors.h5", "w") as f:
        f.create_dataset("group/x", data=x.astype(np.float64))
        f.create_dataset("y", data=np.arange(200) % 4)
    for size in (32, 64, 96):
        np.save(out / f"colour{size}.npy", rng.integers(0, 256, size=(6, 3, size, size), dtype=np.uint8))


def write_refusals(out):
    x = np.zeros((10, 2), np.float32)
    x[7, 1] = np.nan
    np.save(out / "nan.npy", x)
    np.save(out / "fortran.npy", np.asfortranarray(np.zeros((10, 3), np.float32)))
    np.save(out / "int16.npy", np.zeros((10, 2), np.int16))
    np.save(out / "no_channel.npy", np.zeros((10, 28, 28), np.uint8))
    np.save(out / "big_endian.npy", np.zeros((10, 2), ">f4"))
    np.save(out / "short_labels.npy", np.zeros(9, np.int64))
    np.save(out / "float_labels.npy", np.zeros(10, np.float32))
    np.save(out / "ten.npy", np.zeros((10, 2), np.float32))
    np.save(out / "ten3.npy", np.zeros((10, 3), np.float32))
    np.save(out / "ten_u8.npy", np.zeros((10, 2), np.uint8))
    with open(out / "vectors_v2.npy", "wb") as f:  # format version 2: a 4-byte header length
        np.lib.format.write_array(f, np.load(out / "vectors.npy"), version=(2, 0))
    whole = (out / "ten.npy").read_bytes()
    (out / "truncated.npy").write_bytes(whole[:-8])
    (out / "not_data.npy").write_text("hello\n")


def main():
    if len(sys.argv) < 3 or sys.argv[1] != "write":
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    source = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist")
    write_fashion_mnist(out, source)
    write_vectors(out)
    write_refusals(out)


if __name__ == "__main__":
    main()
