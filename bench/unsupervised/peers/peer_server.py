"""scikit-learn side of bench/unsupervised/*.ts, as a long-lived process (see ../peer-session.ts).

Reads one JSON request per line on stdin and answers one JSON line on stdout, so the TypeScript
benchmark can interleave Cairn's runs with scikit-learn's under the same machine load. Every request
runs once under threadpool_limits(threads) and answers `seconds` (wall) and `cpu_seconds`
(process_time, all threads) of the timed call, plus its task's figures computed after timing:

  kmeans         file, k           KMeans(n_clusters=k, n_init=10, random_state=seed): inertia, ari
  dbscan         file, eps, min_samples                                              : ari
  agglomerative  file, k, linkage                                                    : ari
  tsne           file              TSNE(perplexity 30, init 'pca', learning_rate 'auto'): trustworthiness
  iforest        file, seed        IsolationForest(100 trees): fit_seconds, score_seconds, auc
  impute         full, masked, method (mean | knn | iterative): nrmse; KNN and iterative run on
                 data standardised by a StandardScaler fitted on the masked table (inside the
                 timing), as ../../../../shared/peers/peer.py does

Cluster files are CSV with the features then a `label` column; the iforest file carries
`label_outlier`. Run with Debian's /usr/bin/python3 (scikit-learn 1.2.1).
"""
import json
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.ensemble import IsolationForest
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.manifold import TSNE, trustworthiness
from sklearn.metrics import adjusted_rand_score, roc_auc_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

warnings.filterwarnings("ignore")
_files = {}


def table(path):
    if path not in _files:
        _files[path] = pd.read_csv(path)
    return _files[path]


def labelled(path, label):
    df = table(path)
    return df.drop(columns=[label]).to_numpy(dtype=float), df[label].to_numpy()


def timed(run):
    t0, c0 = time.perf_counter(), time.process_time()
    value = run()
    return value, time.perf_counter() - t0, time.process_time() - c0


def cluster(job):
    X, y = labelled(job["file"], "label")
    task = job["task"]
    if task == "kmeans":
        m, s, c = timed(lambda: KMeans(n_clusters=job["k"], n_init=10, random_state=job.get("seed", 0)).fit(X))
        return s, c, {"inertia": float(m.inertia_), "ari": adjusted_rand_score(y, m.labels_), "iterations": int(m.n_iter_)}
    if task == "dbscan":
        lab, s, c = timed(lambda: DBSCAN(eps=job["eps"], min_samples=job["min_samples"]).fit_predict(X))
        return s, c, {"ari": adjusted_rand_score(y, lab)}
    if task == "agglomerative":
        lab, s, c = timed(lambda: AgglomerativeClustering(n_clusters=job["k"], linkage=job["linkage"]).fit_predict(X))
        return s, c, {"ari": adjusted_rand_score(y, lab)}
    if task == "tsne":
        E, s, c = timed(lambda: TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto",
                                     random_state=job.get("seed", 0)).fit_transform(X))
        return s, c, {"trustworthiness": float(trustworthiness(X, E, n_neighbors=5))}
    raise ValueError(f"unknown task {task}")


def iforest(job):
    X, y = labelled(job["file"], "label_outlier")
    t0, c0 = time.perf_counter(), time.process_time()
    f = IsolationForest(n_estimators=100, random_state=job["seed"], n_jobs=job["threads"]).fit(X)
    t1 = time.perf_counter()
    s = -f.score_samples(X)
    t2, c2 = time.perf_counter(), time.process_time()
    return t2 - t0, c2 - c0, {"fit_seconds": t1 - t0, "score_seconds": t2 - t1, "auc": roc_auc_score(y, s)}


def impute(job):
    A = table(job["full"]).to_numpy(dtype=float)
    B = table(job["masked"]).to_numpy(dtype=float)
    method = job["method"]

    def run():
        if method == "mean":
            return SimpleImputer(strategy="mean").fit(B).transform(B)
        model = KNNImputer(n_neighbors=5) if method == "knn" else IterativeImputer(max_iter=10, random_state=42)
        scaler = StandardScaler().fit(B)
        Z = scaler.transform(B)
        return scaler.inverse_transform(model.fit(Z).transform(Z))

    Z, s, c = timed(run)
    hidden = np.isnan(B) & ~np.isnan(A)
    sd = np.nanstd(A, axis=0)
    nrmse = np.mean([np.sqrt(np.mean((Z[hidden[:, j], j] - A[hidden[:, j], j]) ** 2)) / sd[j]
                     for j in range(A.shape[1]) if hidden[:, j].any()])
    return s, c, {"nrmse": float(nrmse)}


def main():
    for line in sys.stdin:
        job = json.loads(line)
        try:
            with threadpool_limits(limits=job["threads"]):
                task = job["task"]
                s, c, figures = iforest(job) if task == "iforest" else impute(job) if task == "impute" else cluster(job)
            answer = {"seconds": s, "cpu_seconds": c, **{k: float(v) for k, v in figures.items()}}
        except Exception as error:  # reported to the benchmark, which stops with the message
            answer = {"error": f"{error}\n{traceback.format_exc()}"}
        print(json.dumps(answer), flush=True)


main()
