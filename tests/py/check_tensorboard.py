#!/usr/bin/python3
"""Reads TensorBoard event files with a reader written here from the format (TFRecord framing with masked
CRC-32C, the Event and Summary protobufs), independently of gftlab's writer, and checks a sweep's files against
its HDF5 run files: every scalar of train/*, eval/* and quality/* at every step, each exactly once, and nothing
else.

  check_tensorboard.py SWEEP_DIR     (after `gftlab sweep collect`)
"""
import pathlib
import struct
import sys

import h5py
import numpy as np


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, at):
    value, shift = 0, 0
    while True:
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def fields(buf):
    """(number, wire type, value) of a protobuf message; length-delimited values as bytes."""
    at = 0
    while at < len(buf):
        key, at = varint(buf, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(buf, at)
        elif wire == 1:
            value, at = buf[at:at + 8], at + 8
        elif wire == 5:
            value, at = buf[at:at + 4], at + 4
        elif wire == 2:
            size, at = varint(buf, at)
            value, at = buf[at:at + size], at + size
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def events(path):
    """[(step, tag, value)] of the scalar events, after checking every record's CRCs and the version record."""
    data, at, out, version = path.read_bytes(), 0, [], None
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", data[at + 8:at + 12])[0] == masked(header), f"{path}: length CRC at {at}"
        payload = data[at + 12:at + 12 + length]
        assert struct.unpack("<I", data[at + 12 + length:at + 16 + length])[0] == masked(payload), f"{path}: data CRC"
        at += 16 + length
        step, summary = 0, None
        for number, wire, value in fields(payload):
            if number == 2:
                step = value
            elif number == 3:
                version = value.decode()
            elif number == 5:
                summary = value
        if summary is None:
            continue
        for number, _, item in fields(summary):
            parts = {n: v for n, _, v in fields(item)}
            out.append((step, parts[1].decode(), struct.unpack("<f", parts[2])[0]))
    assert version == "brain.Event:2", f"{path}: no file_version record"
    return out


def expected(run):
    """What the run file says the events must hold: (step, tag) -> float32 value."""
    want = {}
    for group in ("train", "eval", "quality"):
        if group not in run or "step" not in run[group]:
            continue
        steps = run[group]["step"][:]
        for name, dataset in run[group].items():
            if name == "step" or dataset.ndim != 1 or len(dataset) != len(steps):
                continue
            for step, value in zip(steps, dataset[:]):
                want[(int(step), f"{group}/{name}")] = np.float32(value)
    return want


def check(sweep_dir):
    sweep_dir = pathlib.Path(sweep_dir)
    with h5py.File(sweep_dir / "summary.h5") as summary:
        t = summary["table"]
        rows = list(zip(t["run_id"].asstr()[:], t["arm"].asstr()[:], t["point"].asstr()[:], t["seed"][:],
                        t["status"].asstr()[:]))
    checked = 0
    for run_id, arm, point, seed, status in rows:
        if status not in ("complete", "diverged"):
            continue
        folder = sweep_dir / "tensorboard" / arm
        if point:
            folder /= point.replace(", ", ",").replace("/", "_")
        files = sorted((folder / f"seed{seed}").glob("events.out.tfevents.*"))
        assert len(files) == 1, (folder, files)
        got = events(files[0])
        keys = [(step, tag) for step, tag, _ in got]
        assert len(keys) == len(set(keys)), f"{files[0]}: a step written twice"
        with h5py.File(sweep_dir / "runs" / f"{run_id}.h5") as run:
            want = expected(run)
        assert set(keys) == set(want), (files[0], sorted(set(want) ^ set(keys))[:5])
        for step, tag, value in got:
            w = want[(step, tag)]
            assert value == w or (np.isnan(value) and np.isnan(w)), (files[0], step, tag, value, w)
        checked += 1
    assert checked, "no run to check"
    return checked


if __name__ == "__main__":
    assert masked(b"") is not None and crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    print(f"tensorboard: {check(sys.argv[1])} runs' events equal their run files")
