"""Swap SMOTE for LDMOverSampler in an imbalanced-learn pipeline.

Runs in well under a minute on a laptop CPU. Set ``LDM_EXAMPLE_EPOCHS`` to shrink
training further (the test suite does).
"""

import os

from imblearn.pipeline import Pipeline
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

from ldm_oversample import LDMOverSampler
from ldm_oversample.datasets import make_imbalanced_mixed

epochs = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
X, y = make_imbalanced_mixed(n_samples=1000)  # mixed-type DataFrame, 5% "attack"
pipe = Pipeline(
    [
        ("resample", LDMOverSampler(max_epochs=epochs, random_state=0)),  # was: SMOTE()
        ("model", HistGradientBoostingClassifier(random_state=0)),
    ]
)
scores = cross_val_score(pipe, X, y, cv=3, scoring="f1_macro")
print(f"macro-F1 per fold: {scores.round(3)}")
