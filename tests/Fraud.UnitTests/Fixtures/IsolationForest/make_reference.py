#!/usr/bin/env python3
"""Writes the Isolation Forest comparison fixture next to this script.

planted_outliers.csv   2,000 inliers from three Gaussian blobs and 100 uniform outliers in 6 features, labelled
                       (label 1 = planted outlier), values rounded to 4 decimals.
sklearn_reference.json scikit-learn's IsolationForest on exactly those values: ROC-AUC of -score_samples against
                       the labels for random_state 0..9, their mean, the mean score_samples of inliers and of outliers, and the offset_ for contamination = 0.05.

Run with Debian's scikit-learn (apt-get install -y python3-sklearn):  /usr/bin/python3 make_reference.py
The C# test (tests/Fraud.UnitTests/Core/Forest/SklearnComparisonTests.cs) reads both files; it never runs Python.
"""
import csv
import json
import pathlib

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

HERE = pathlib.Path(__file__).resolve().parent
DATA_SEED = 20080101  # the data's own seed, unrelated to the forests' random_state
FEATURES = 6
INLIERS = 2000
OUTLIERS = 100
RANDOM_STATES = list(range(10))
CONTAMINATION = 0.05

rng = np.random.default_rng(DATA_SEED)
centres = rng.uniform(-4.0, 4.0, size=(3, FEATURES))
spreads = np.array([0.6, 1.0, 1.4])
blob = rng.integers(0, 3, size=INLIERS)
inliers = centres[blob] + rng.normal(size=(INLIERS, FEATURES)) * spreads[blob, None]
low, high = inliers.min(axis=0), inliers.max(axis=0)
outliers = rng.uniform(low, high, size=(OUTLIERS, FEATURES))

x = np.round(np.vstack([inliers, outliers]), 4)
y = np.concatenate([np.zeros(INLIERS, dtype=int), np.ones(OUTLIERS, dtype=int)])
order = rng.permutation(len(y))
x, y = x[order], y[order]

names = [f"f{i}" for i in range(FEATURES)]
with open(HERE / "planted_outliers.csv", "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(names + ["label"])
    for row, label in zip(x, y):
        writer.writerow([f"{v:.4f}" for v in row] + [int(label)])

aucs, offsets, inlier_means, outlier_means = [], [], [], []
for state in RANDOM_STATES:
    forest = IsolationForest(n_estimators=100, max_samples=256, random_state=state).fit(x)
    scores = forest.score_samples(x)
    aucs.append(roc_auc_score(y, -scores))
    inlier_means.append(scores[y == 0].mean())
    outlier_means.append(scores[y == 1].mean())
    contaminated = IsolationForest(n_estimators=100, max_samples=256, contamination=CONTAMINATION, random_state=state).fit(x)
    offsets.append(contaminated.offset_)

reference = {
    "sklearn_version": sklearn.__version__,
    "numpy_version": np.__version__,
    "data": {"file": "planted_outliers.csv", "seed": DATA_SEED, "features": FEATURES, "inliers": INLIERS,
             "outliers": OUTLIERS, "label": "1 = planted outlier"},
    "parameters": {"n_estimators": 100, "max_samples": 256, "max_features": 1.0, "contamination": "auto",
                   "random_state": RANDOM_STATES},
    "roc_auc": {"per_random_state": [round(a, 6) for a in aucs], "mean": round(float(np.mean(aucs)), 6),
                "min": round(float(np.min(aucs)), 6), "max": round(float(np.max(aucs)), 6)},
    "mean_score_samples": {"inliers": round(float(np.mean(inlier_means)), 6),
                           "outliers": round(float(np.mean(outlier_means)), 6)},
    "offset_contamination_0_05": {"per_random_state": [round(o, 6) for o in offsets],
                                  "mean": round(float(np.mean(offsets)), 6)},
}
with open(HERE / "sklearn_reference.json", "w") as f:
    json.dump(reference, f, indent=2)
    f.write("\n")
print(json.dumps(reference["roc_auc"], indent=2))
print(json.dumps(reference["mean_score_samples"], indent=2))
print(json.dumps(reference["offset_contamination_0_05"], indent=2))
