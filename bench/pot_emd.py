#!/usr/bin/python3
"""Times POT's exact solver (ot.emd, uniform weights) on a float64 n x n cost matrix written by bench_ot.

Usage: pot_emd.py MATRIX.bin N REPEATS. Prints JSON: {"seconds": best-of mean, "cost": sum P_ij C_ij * n}.
"""
import json
import sys
import time

import numpy as np


def main(path, n, repeats):
    import ot  # Debian python3-pot

    cost = np.fromfile(path, dtype=np.float64).reshape(n, n)
    weights = np.full(n, 1.0 / n)
    plan = ot.emd(weights, weights, cost, numItermax=10**8)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        plan = ot.emd(weights, weights, cost, numItermax=10**8)
    seconds = (time.perf_counter() - start) / repeats
    print(json.dumps({"seconds": seconds, "cost": float((plan * cost).sum() * n), "version": ot.__version__}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
