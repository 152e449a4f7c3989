"""scikit-learn side of bench/unsupervised/cluster.ts: runs the jobs listed in a JSON file on the
exact matrices the TypeScript side wrote (CSV, features then a `label` column), and prints one JSON
line per job with the median time of `repeat` runs (after one warm-up) and the quality figures.

    /usr/bin/python3 bench/unsupervised/peers/cluster_peer.py JOBS.json
"""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.manifold import TSNE, trustworthiness
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits


def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    label = header.index("label")
    return np.delete(data, label, axis=1), data[:, label].astype(int)


def run(job, X, y):
    task = job["task"]
    if task == "kmeans":
        m = KMeans(n_clusters=job["k"], n_init=10, random_state=job["seed"]).fit(X)
        return {"inertia": float(m.inertia_), "ari": adjusted_rand_score(y, m.labels_), "iterations": int(m.n_iter_)}
    if task == "dbscan":
        lab = DBSCAN(eps=job["eps"], min_samples=job["min_samples"]).fit_predict(X)
        return {"ari": adjusted_rand_score(y, lab), "clusters": int(lab.max() + 1), "noise": int((lab < 0).sum())}
    if task == "agglomerative":
        lab = AgglomerativeClustering(n_clusters=job["k"], linkage=job["linkage"]).fit_predict(X)
        return {"ari": adjusted_rand_score(y, lab)}
    if task == "tsne":
        E = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", random_state=job["seed"]).fit_transform(X)
        return {"embedding": E}
    raise SystemExit(f"unknown task {task}")


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        X, y = load(job["file"])
        times = []
        with threadpool_limits(limits=job["threads"]):
            for r in range(job["repeat"] + 1):
                t0 = time.perf_counter()
                result = run(job, X, y)
                if r > 0:
                    times.append(time.perf_counter() - t0)
        if "embedding" in result:
            result["trustworthiness"] = float(trustworthiness(X, result.pop("embedding"), n_neighbors=5))
        print(json.dumps({"name": job["name"], "threads": job["threads"], "seconds": statistics.median(times),
                          **{k: float(v) for k, v in result.items()}}), flush=True)


main()
