"""XGBoost side of bench/supervised/shap.ts: trains 300 trees of depth 6 (hist, one thread) on
data/california_housing.csv, saves the model as JSON and the explained rows as CSV in OUT, and times
pred_contribs (path-dependent TreeSHAP) on those rows, best of three, one thread.

    /usr/bin/python3 bench/supervised/shap_xgboost.py OUT_DIR ROWS
Prints one JSON line: {"seconds", "rows", "xgboost"}.
"""

import json
import os
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

out, rows = sys.argv[1], int(sys.argv[2])
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
df = pd.read_csv(os.path.join(root, "data", "california_housing.csv"))
y = df["median_house_value"].to_numpy()
X = df.drop(columns=["median_house_value", "ocean_proximity"]).astype("float64")
params = {"objective": "reg:squarederror", "tree_method": "hist", "max_depth": 6, "eta": 0.1,
          "seed": 1, "nthread": 1}
booster = xgb.train(params, xgb.DMatrix(X, y), 300)
booster.save_model(os.path.join(out, "shap_model.json"))
sample = X.sample(n=rows, random_state=1)
sample.to_csv(os.path.join(out, "shap_rows.csv"), index=False)
d = xgb.DMatrix(sample)
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    contribs = booster.predict(d, pred_contribs=True)
    best = min(best, time.perf_counter() - started)
np.savetxt(os.path.join(out, "shap_contribs.csv"), contribs, delimiter=",")
print(json.dumps({"seconds": best, "rows": rows, "xgboost": xgb.__version__}))
