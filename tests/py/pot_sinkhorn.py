"""Reference entropic OT plan from POT (log-domain Sinkhorn, uniform weights, converged tightly).

usage: pot_sinkhorn.py COST.bin PLAN.bin N REG   (raw float64 N x N matrices: the cost and the plan to check)
Prints max |P_POT - P| / max P_POT.
"""
import sys

import numpy as np
import ot

cost_path, plan_path, n, reg = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
cost = np.fromfile(cost_path, dtype=np.float64).reshape(n, n)
plan = np.fromfile(plan_path, dtype=np.float64).reshape(n, n)
weights = np.full(n, 1.0 / n)
reference = ot.sinkhorn(weights, weights, cost, reg, method="sinkhorn_log", numItermax=200000, stopThr=1e-14)
print(repr(float(np.abs(reference - plan).max() / reference.max())))
