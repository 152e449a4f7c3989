#!/usr/bin/python3
"""XGBoost peer for the fraud evaluation: fits on a training CSV, writes P(fraud) for each test row.

Usage: /usr/bin/python3 xgboost_scores.py --train A.csv --test B.csv --target is_fraud --out scores.txt
Settings match Cairn's fraud GBDT cap: 300 rounds, depth 6, learning rate 0.1, hist, 1 thread, seed 42.
Empty cells are missing values (NaN), which XGBoost routes natively.
"""
import argparse
import json
import time

import numpy as np
import pandas as pd
import xgboost as xgb

ap = argparse.ArgumentParser()
ap.add_argument("--train", required=True)
ap.add_argument("--test", required=True)
ap.add_argument("--target", required=True)
ap.add_argument("--out", required=True)
a = ap.parse_args()

train = pd.read_csv(a.train)
test = pd.read_csv(a.test)
features = [c for c in train.columns if c != a.target]
model = xgb.XGBClassifier(n_estimators=300, max_depth=6, learning_rate=0.1, tree_method="hist",
                          n_jobs=1, random_state=42)
t0 = time.perf_counter()
model.fit(train[features].to_numpy(dtype=float), train[a.target].to_numpy(dtype=int))
fit_s = time.perf_counter() - t0
scores = model.predict_proba(test[features].to_numpy(dtype=float))[:, 1]
np.savetxt(a.out, scores, fmt="%.10g")
print(json.dumps({"xgboost": xgb.__version__, "fit_s": fit_s, "rows": len(test)}))
