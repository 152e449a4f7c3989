"""scikit-learn side of bench/unsupervised/anomaly-impute.ts; prints one JSON line.

  iforest: IsolationForest(n_estimators=100, max_samples='auto', random_state=seed) for each seed;
           ROC-AUC of -score_samples against --label (1 = anomaly), and the median fit and
           score_samples seconds.
  impute:  --full (complete numeric CSV) and --masked (the same with the benchmark's hidden cells
           blank). SimpleImputer(mean), KNNImputer(5) and IterativeImputer(BayesianRidge,
           max_iter 10, random_state 42); KNN and iterative on standardised data (StandardScaler
           fitted on the masked data), as ../shared/peers/peer.py runs them. Mean over columns of
           RMSE / column std on the hidden cells; seconds = fit + transform, median of --repeat.

Run with Debian's /usr/bin/python3 (scikit-learn 1.2.1); one thread (threadpoolctl, n_jobs=1).
"""
import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.experimental import enable_iterative_imputer  # noqa: E402,F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

warnings.filterwarnings("ignore")


def iforest(a):
    df = pd.read_csv(a.csv)
    y = df.pop(a.label).to_numpy()
    X = df.to_numpy(dtype=float)
    aucs, fits, scores = [], [], []
    for seed in range(a.seeds):
        t0 = time.perf_counter()
        f = IsolationForest(n_estimators=100, random_state=seed, n_jobs=1).fit(X)
        t1 = time.perf_counter()
        s = -f.score_samples(X)
        t2 = time.perf_counter()
        aucs.append(roc_auc_score(y, s))
        fits.append(t1 - t0)
        scores.append(t2 - t1)
    return dict(rows=len(X), cols=X.shape[1], auc_mean=float(np.mean(aucs)), aucs=aucs,
                fit_s=float(np.median(fits)), score_s=float(np.median(scores)))


def impute(a):
    A = pd.read_csv(a.full).to_numpy(dtype=float)
    B = pd.read_csv(a.masked).to_numpy(dtype=float)
    M = np.isnan(B) & ~np.isnan(A)
    sd = np.nanstd(A, axis=0)

    def nrmse(Z):
        return float(np.mean([np.sqrt(np.mean((Z[M[:, j], j] - A[M[:, j], j]) ** 2)) / sd[j]
                              for j in range(A.shape[1]) if M[:, j].any()]))

    def run(make, scaled):
        times, Z = [], None
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            if scaled:
                s = StandardScaler().fit(B)
                Z = s.inverse_transform(make().fit(s.transform(B)).transform(s.transform(B)))
            else:
                Z = make().fit(B).transform(B)
            times.append(time.perf_counter() - t0)
        return dict(nrmse=nrmse(Z), seconds=float(np.median(times)))

    out = dict(rows=len(A), cols=A.shape[1], masked=int(M.sum()))
    for m in a.methods.split(","):
        if m == "mean":
            out[m] = run(lambda: SimpleImputer(strategy="mean"), False)
        elif m == "knn":
            out[m] = run(lambda: KNNImputer(n_neighbors=5), True)
        elif m == "iterative":
            out[m] = run(lambda: IterativeImputer(max_iter=10, random_state=42), True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["iforest", "impute"], required=True)
    ap.add_argument("--csv")
    ap.add_argument("--label", default="label_outlier")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--full")
    ap.add_argument("--masked")
    ap.add_argument("--methods", default="mean,knn,iterative")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with threadpool_limits(limits=1):
        res = iforest(a) if a.task == "iforest" else impute(a)
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
