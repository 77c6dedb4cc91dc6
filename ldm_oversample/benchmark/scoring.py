"""One run of the protocol: balance with each sampler, then score it.

A :class:`Run` holds one task's split for one ratio and seed. For each sampler
it balances the training split, records the generator's metrics (time,
fidelity, consistency rules, class faithfulness, zero rates) and the test
scores of each classifier, at the threshold 0.5 and at a threshold tuned by
cross-validation inside the training split, with the sampler refitted in each
fold so that no synthetic row reaches a validation fold.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold

from ..base import BaseGenerativeOverSampler
from ..metrics import (
    ClassFaithfulness,
    fidelity_summary,
    rule_violations,
    zero_rate_gaps,
)
from .baselines import KEEPS_ORIGINALS, make_sampler
from .rules import CICIOT2023_RULES
from .threshold import best_threshold, f1_curve

__all__ = ["CLASSIFIERS", "RULE_PREFIX", "THRESHOLD_SUFFIX", "Run"]

#: Metric-name prefix of the share of synthetic rows breaking a consistency
#: rule (``"rule: any"`` for any rule; see :data:`CICIOT2023_RULES`).
RULE_PREFIX = "rule: "
#: Suffix of a classifier's name when it is scored with a decision threshold
#: tuned by cross-validation inside the training split (``"rf+cv-threshold"``).
THRESHOLD_SUFFIX = "+cv-threshold"
#: Classifier names the protocol knows, as factories of ``random_state``.
CLASSIFIERS: dict[str, Callable[[int], Any]] = {
    "rf": lambda seed: RandomForestClassifier(n_estimators=200, random_state=seed),
    "hgb": lambda seed: HistGradientBoostingClassifier(random_state=seed),
}


def make_classifier(name: str, seed: int, n_jobs: int | None = None):
    """A fresh classifier of :data:`CLASSIFIERS`, with ``n_jobs`` where it has it."""
    clf = clone(CLASSIFIERS[name](seed))
    if "n_jobs" in clf.get_params():
        clf.set_params(n_jobs=n_jobs)
    return clf


def _scores(y_true, y_pred) -> dict[str, float]:
    return {
        "f1": f1_score(y_true, y_pred, zero_division=0.0),
        "precision": precision_score(y_true, y_pred, zero_division=0.0),
        "recall": recall_score(y_true, y_pred, zero_division=0.0),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0.0),
    }


class Run:
    """One task, ratio and seed: balances with each sampler and scores it."""

    def __init__(
        self, X_tr, y_tr, X_te, y_te, seed, device, params, n_jobs, record, cv
    ) -> None:
        self.X_tr, self.y_tr, self.X_te, self.y_te = X_tr, y_tr, X_te, y_te
        self.seed, self.device, self.params, self.n_jobs = seed, device, params, n_jobs
        self.record = record
        self.real_attack = X_te[y_te == 1]
        n_folds = min(cv or 0, int((y_tr == 1).sum()))
        self.folds = (
            list(
                StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(
                    X_tr, y_tr
                )
            )
            if n_folds >= 2
            else []
        )
        self._faithfulness: ClassFaithfulness | None = None

    def sampler(self, name: str):
        return make_sampler(
            name, self.seed, device=self.device, params=self.params.get(name)
        )

    def classifier(self, name: str):
        return make_classifier(name, self.seed, self.n_jobs)

    def score(self, name: str, classifiers: Sequence[str]) -> pd.DataFrame | None:
        """Record every measurement of one sampler; return its synthetic rows."""
        X_bal, y_bal, synthetic = _balance(
            self.sampler(name), self.X_tr, self.y_tr, self.record, name
        )
        if synthetic is not None and len(synthetic):
            self._generator_metrics(name, synthetic)
        fitted = {}
        for clf_name in classifiers:
            fitted[clf_name] = self.classifier(clf_name).fit(X_bal, y_bal)
            for metric, value in _scores(
                self.y_te, fitted[clf_name].predict(self.X_te)
            ).items():
                self.record(name, clf_name, metric, value)
        if self.folds:
            self._tuned_scores(name, fitted)
        return synthetic

    def _generator_metrics(self, name: str, synthetic: pd.DataFrame) -> None:
        fidelity = fidelity_summary(
            self.real_attack,
            synthetic,
            train=self.X_tr[self.y_tr == 1],
            holdout=self.real_attack,
            random_state=self.seed,
        )
        for metric, value in fidelity.items():
            self.record(name, "-", metric, value)
        for rule, share in rule_violations(synthetic, CICIOT2023_RULES).items():
            self.record(name, "-", f"{RULE_PREFIX}{rule}", share)
        if self._faithfulness is None and min(np.bincount(self.y_te)) >= 2:
            # Judged by forests trained on the held-out rows: copies of the
            # training rows gain nothing from having been seen.
            self._faithfulness = ClassFaithfulness(random_state=self.seed).fit(
                self.X_te, self.y_te
            )
        if self._faithfulness is not None:
            self.record(
                name, "-", "class_faithfulness", self._faithfulness.score(synthetic, 1)
            )
            self.record(
                name, "-", "class_faithfulness_real", self._faithfulness.real_[1]
            )
        gaps = zero_rate_gaps(self.real_attack, synthetic)
        if len(gaps):
            self.record(name, "-", "zero_rate_gap", float(gaps.abs().max()))

    def _tuned_scores(self, name: str, fitted: dict) -> None:
        """Scores at the threshold tuned on folds of the training split, with
        the sampler refitted inside each fold."""
        curves: dict[str, list] = {clf_name: [] for clf_name in fitted}
        for train, valid in self.folds:
            X_fold, y_fold = self.X_tr.iloc[train], self.y_tr[train]
            X_bal, y_bal, _ = resample_or_keep(self.sampler(name), X_fold, y_fold)
            X_valid = self.X_tr.iloc[valid]
            for clf_name in fitted:
                clf = self.classifier(clf_name).fit(X_bal, y_bal)
                proba = clf.predict_proba(X_valid)[:, 1]
                curves[clf_name].append(f1_curve(self.y_tr[valid], proba))
        for clf_name, clf in fitted.items():
            threshold = best_threshold(curves[clf_name])
            tuned = clf_name + THRESHOLD_SUFFIX
            predicted = (clf.predict_proba(self.X_te)[:, 1] >= threshold).astype(int)
            for metric, value in _scores(self.y_te, predicted).items():
                self.record(name, tuned, metric, value)
            self.record(name, tuned, "threshold", threshold)


def resample_or_keep(sampler, X, y):
    """``sampler.fit_resample(X, y)``, or ``X, y`` unchanged (and True) when an
    imbalanced-learn baseline cannot run on these rows (ADASYN finding no
    neighbour of the other class, SMOTE with too few rows)."""
    if sampler is None:
        return X, y, False
    try:
        X_bal, y_bal = sampler.fit_resample(X, y)
    except (ValueError, RuntimeError):
        if isinstance(sampler, BaseGenerativeOverSampler):
            raise  # the package's own samplers must not fail silently
        return X, y, True
    return X_bal, y_bal, False


def _balance(sampler, X_tr, y_tr, record, name):
    """Balance the training split; time it; return the new attack rows."""
    if sampler is None:
        return X_tr, y_tr, None
    start = time.perf_counter()
    X_bal, y_bal, failed = resample_or_keep(sampler, X_tr, y_tr)
    record(name, "-", "fit_resample_s", time.perf_counter() - start)
    record(name, "-", "failed", float(failed))
    if failed or name not in KEEPS_ORIGINALS:
        return X_bal, y_bal, None
    n_new = len(y_bal) - len(y_tr)
    synthetic = X_bal.iloc[len(X_tr) :].reset_index(drop=True)
    if hasattr(sampler, "sample") and n_new:
        # Generation alone, on the fitted model, for the same number of rows.
        start = time.perf_counter()
        sampler.sample(n_new, class_label=1)
        seconds = time.perf_counter() - start
        record(name, "-", "sample_s", seconds)
        record(name, "-", "rows_per_s", n_new / max(seconds, 1e-9))
    return X_bal, y_bal, synthetic
