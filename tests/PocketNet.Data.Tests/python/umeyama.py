"""Least-squares similarity by Umeyama's SVD method (as skimage.transform._geometric._umeyama with
estimate_scale=True), in numpy. Usage: umeyama.py '[[sx, sy], ...]' '[[dx, dy], ...]'; prints the 2x3 matrix as JSON."""
import json
import sys

import numpy as np

src = np.array(json.loads(sys.argv[1]), dtype=np.float64)
dst = np.array(json.loads(sys.argv[2]), dtype=np.float64)
num, dim = src.shape
src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
src_demean, dst_demean = src - src_mean, dst - dst_mean
A = dst_demean.T @ src_demean / num
d = np.ones((dim,), dtype=np.float64)
if np.linalg.det(A) < 0:
    d[dim - 1] = -1
T = np.eye(dim + 1, dtype=np.float64)
U, S, V = np.linalg.svd(A)
T[:dim, :dim] = U @ np.diag(d) @ V
scale = 1.0 / src_demean.var(axis=0).sum() * (S @ d)
T[:dim, dim] = dst_mean - scale * (T[:dim, :dim] @ src_mean.T)
T[:dim, :dim] *= scale
print(json.dumps(T[:2].tolist()))
