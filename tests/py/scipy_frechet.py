"""Reference Fréchet distance with SciPy's general matrix square root (the common FID implementation).

usage: scipy_frechet.py A.bin B.bin D   (raw float64 feature matrices with D columns)
"""
import sys

import numpy as np
from scipy import linalg

a, b = (np.fromfile(p, dtype=np.float64).reshape(-1, int(sys.argv[3])) for p in sys.argv[1:3])
mu1, mu2 = a.mean(0), b.mean(0)
s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
covmean = linalg.sqrtm(s1 @ s2).real
print(repr(float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))))
