"""The study's protocol: Benign-vs-attack tasks, scarcity, samplers, classifiers.

For each attack, scarcity ratio and seed: a stratified 70/30 split of the
Benign and attack rows; the attack rows of the training split are cut to
``ratio`` times the benign rows (the test split stays untouched); each sampler
balances the training split; each classifier is trained on the balanced rows
and scored on the test split. The synthetic attack rows are also compared with
the held-out real attack rows (fidelity), and the sampler is timed.

Nothing leaks: a sampler sees only the training split. It is fitted once per
run and every classifier is trained on its output, which is what an
``imblearn.pipeline.Pipeline([("sampler", ...), ("classifier", ...)])`` fitted
on the training split does, without refitting the generator per classifier
(:func:`~ldm_oversample.metrics.utility_scores` is that pipeline, for one
sampler and one classifier).
"""

from __future__ import annotations

import difflib
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

from ..metrics import fidelity_summary, rule_violations
from ..over_sampling import (
    CTGANOverSampler,
    DDPMOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
)
from .rules import CICIOT2023_RULES

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_ATTACKS",
    "DEFAULT_CLASSIFIERS",
    "DEFAULT_RATIOS",
    "DEFAULT_SAMPLERS",
    "SAMPLERS",
    "BenchmarkResult",
    "make_sampler",
    "make_task",
    "run_benchmark",
    "scarce_split",
]

BENIGN = "Benign"
#: Metric-name prefix of the share of synthetic rows breaking a consistency
#: rule (``"rule: any"`` for any rule; see :data:`CICIOT2023_RULES`).
RULE_PREFIX = "rule: "
DEFAULT_ATTACKS = ("DDoS", "Mirai", "Spoofing")
DEFAULT_RATIOS = (0.02, 0.1)
DEFAULT_SAMPLERS = ("none", "random", "smote", "ctgan", "ddpm", "ldm")
DEFAULT_CLASSIFIERS = ("rf", "hgb")

_NEURAL = {
    "ctgan": CTGANOverSampler,
    "ddpm": DDPMOverSampler,
    "ldm": LDMOverSampler,
    "smote": SMOTEOverSampler,
}

#: Sampler names the protocol knows, with what they are.
SAMPLERS = {
    "none": "no oversampling",
    "random": "imblearn RandomOverSampler (duplicates attack rows)",
    "smote": "SMOTEOverSampler (imblearn SMOTE / SMOTENC / SMOTEN)",
    "ctgan": "CTGANOverSampler (CTGAN-style conditional GAN)",
    "ddpm": "DDPMOverSampler (TabDDPM-style diffusion in data space)",
    "ldm": "LDMOverSampler (latent diffusion)",
}

#: Classifier names the protocol knows, as factories of ``random_state``.
CLASSIFIERS: dict[str, Callable[[int], Any]] = {
    "rf": lambda seed: RandomForestClassifier(n_estimators=200, random_state=seed),
    "hgb": lambda seed: HistGradientBoostingClassifier(random_state=seed),
}


def _check_names(names: Sequence[str], known, what: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(known)}"
        )


def make_sampler(
    name: str,
    random_state: int,
    *,
    device: str = "auto",
    params: dict[str, Any] | None = None,
) -> Any:
    """A sampler of the protocol by name, or None for ``"none"``.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLERS`.
    random_state : int
        Seed of the sampler.
    device : str, default="auto"
        Device of the package's samplers.
    params : dict, optional
        Extra constructor parameters.

    Returns
    -------
    sampler : object or None
    """
    _check_names([name], SAMPLERS, "sampler")
    params = dict(params or {})
    if name == "none":
        return None
    if name == "random":
        _check_params(RandomOverSampler, params, name)
        return RandomOverSampler(random_state=random_state, **params)
    _check_params(_NEURAL[name], params, name)
    return _NEURAL[name](random_state=random_state, device=device, **params)


def _check_params(cls: Any, params: dict[str, Any], name: str) -> None:
    """Refuse parameter names ``cls`` does not take, with a suggestion: a
    one-line ``ValueError`` instead of the constructor's ``TypeError``."""
    valid = cls._get_param_names()
    for key in params:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"sampler {name!r} has no parameter {key!r}{hint}; its parameters "
                f"are {', '.join(valid)}"
            )


def make_task(frame: pd.DataFrame, attack: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Benign-vs-attack rows of a loaded CICIoT2023 table.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`~ldm_oversample.benchmark.load_ciciot2023` (feature
        columns plus ``label_family`` and ``label_fine``).
    attack : str
        A family (``"Spoofing"``) or a fine label (``"MITM-ArpSpoofing"``),
        matched case-insensitively.

    Returns
    -------
    X : DataFrame
        Feature rows of Benign and the attack.
    y : ndarray of int
        1 for the attack, 0 for Benign.
    name : str
        The attack as spelled in the data.
    """
    family = frame["label_family"].astype(str)
    fine = frame["label_fine"].astype(str)
    key = attack.casefold()
    benign = family.str.casefold() == BENIGN.casefold()
    if not benign.any():
        raise ValueError("the data has no Benign rows; every task is Benign vs attack")
    for column in (family, fine):
        hit = column.str.casefold() == key
        if hit.any() and not (hit & benign).any():
            name = column[hit].iloc[0]
            keep = benign | hit
            X = frame.loc[keep].drop(columns=["label_family", "label_fine"])
            return X.reset_index(drop=True), hit[keep].to_numpy().astype(int), name
    raise ValueError(
        f"attack {attack!r} not found; families in the data: "
        f"{', '.join(sorted(family.unique()))}"
    )


def scarce_split(
    X: pd.DataFrame, y: np.ndarray, ratio: float, seed: int, test_size: float = 0.3
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    """Stratified split; the training attack rows cut to ``ratio`` x benign rows.

    Parameters
    ----------
    X : DataFrame
    y : ndarray of {0, 1}
    ratio : float
        Attack rows kept in training, as a fraction of the training benign rows
        (at least 2 rows, at most all of them).
    seed : int
        Seed of the split and of the cut.
    test_size : float, default=0.3

    Returns
    -------
    X_train, y_train, X_test, y_test
    """
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    rng = np.random.default_rng(seed)
    benign = np.flatnonzero(y_tr == 0)
    attack = np.flatnonzero(y_tr == 1)
    n_keep = int(np.clip(round(ratio * len(benign)), 2, len(attack)))
    keep = np.sort(np.concatenate([benign, rng.choice(attack, n_keep, replace=False)]))
    return (
        X_tr.iloc[keep].reset_index(drop=True),
        y_tr[keep],
        X_te.reset_index(drop=True),
        y_te,
    )


@dataclass
class BenchmarkResult:
    """What :func:`run_benchmark` measured.

    The fields are also the attributes of the same names.

    Parameters
    ----------
    results : DataFrame
        Tidy table, one row per task x ratio x sampler x classifier x seed x
        metric: columns ``attack, ratio, sampler, classifier, seed, metric,
        value``. Generator metrics (time, fidelity) have classifier ``"-"``.
    examples : dict, default={}
        Keyed by ``(attack, ratio)``, for the first seed: a dict of DataFrames,
        ``"real"`` (held-out real attack rows), ``"train"`` (the attack rows of
        the training split) and, per sampler name, its synthetic attack rows.
    importances : dict, default={}
        Keyed by ``(attack, ratio)``: the feature importances of a random forest
        trained on the first seed's unbalanced training split, as a Series
        sorted in decreasing order.
    splits : dict, default={}
        Keyed by ``(attack, ratio)``: the rows of the first seed's split,
        ``{"train_benign", "train_attack", "test_benign", "test_attack"}``
        (every seed's split has the same sizes).
    """

    results: pd.DataFrame
    examples: dict = field(default_factory=dict)
    importances: dict = field(default_factory=dict)
    splits: dict = field(default_factory=dict)


def _scores(y_true, y_pred) -> dict[str, float]:
    return {
        "f1": f1_score(y_true, y_pred, zero_division=0.0),
        "precision": precision_score(y_true, y_pred, zero_division=0.0),
        "recall": recall_score(y_true, y_pred, zero_division=0.0),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0.0),
    }


def run_benchmark(
    frame: pd.DataFrame,
    *,
    attacks: Sequence[str] = DEFAULT_ATTACKS,
    ratios: Sequence[float] = DEFAULT_RATIOS,
    seeds: int = 5,
    samplers: Sequence[str] = DEFAULT_SAMPLERS,
    classifiers: Sequence[str] = DEFAULT_CLASSIFIERS,
    device: str = "auto",
    sampler_params: dict[str, dict] | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> BenchmarkResult:
    """Run the protocol and collect every measurement.

    Parameters
    ----------
    frame : DataFrame
        A loaded CICIoT2023 table (see
        :func:`~ldm_oversample.benchmark.load_ciciot2023`).
    attacks : sequence of str, default=("DDoS", "Mirai", "Spoofing")
        Attack families or fine labels, each a Benign-vs-attack task.
    ratios : sequence of float, default=(0.02, 0.1)
        Training attack rows as a fraction of training benign rows.
    seeds : int, default=5
        Seeds ``0 .. seeds - 1``: split, cut, sampler and classifier seeds.
    samplers : sequence of str, default=("none", "random", "smote", "ctgan", \
"ddpm", "ldm")
        Names from :data:`SAMPLERS`.
    classifiers : sequence of str, default=("rf", "hgb")
        Names from :data:`CLASSIFIERS` (RandomForest-200, HistGradientBoosting).
    device : str, default="auto"
        Device of the neural samplers.
    sampler_params : dict of dict, optional
        Extra parameters per sampler name, e.g. ``{"ldm": {"max_epochs": 50}}``.
    n_jobs : int or None, default=None
        Jobs of the random forest.
    progress : bool, default=True
        Show a progress bar over the runs.

    Returns
    -------
    BenchmarkResult
    """
    _check_names(samplers, SAMPLERS, "sampler")
    _check_names(classifiers, CLASSIFIERS, "classifier")
    _check_names(list(sampler_params or {}), SAMPLERS, "sampler in sampler_params")
    for name, params in (sampler_params or {}).items():
        make_sampler(name, 0, device=device, params=params)  # typos fail here
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1; got {seeds}")
    for ratio in ratios:
        if not 0 < ratio <= 1:
            raise ValueError(f"ratios must be in (0, 1]; got {ratio}")
    tasks = [make_task(frame, attack) for attack in attacks]
    records: list[dict] = []
    out = BenchmarkResult(pd.DataFrame())
    runs = [(t, r, s) for t in tasks for r in ratios for s in range(seeds)]
    bar = tqdm(runs, desc="benchmark", disable=not progress, unit="run")
    for (X, y, attack), ratio, seed in bar:
        X_tr, y_tr, X_te, y_te = scarce_split(X, y, ratio, seed)
        real_attack = X_te[y_te == 1]
        key = (attack, ratio)
        if seed == 0:
            out.examples[key] = {"real": real_attack, "train": X_tr[y_tr == 1]}
            out.splits[key] = {
                "train_benign": int((y_tr == 0).sum()),
                "train_attack": int((y_tr == 1).sum()),
                "test_benign": int((y_te == 0).sum()),
                "test_attack": int((y_te == 1).sum()),
            }
            forest = CLASSIFIERS["rf"](seed).set_params(n_jobs=n_jobs)
            forest.fit(X_tr, y_tr)
            out.importances[key] = pd.Series(
                forest.feature_importances_, index=X.columns
            ).sort_values(ascending=False)

        record = functools.partial(
            _record, records, dict(attack=attack, ratio=ratio, seed=seed)
        )

        for name in samplers:
            bar.set_postfix_str(f"{attack} @ {ratio:g}, seed {seed}, {name}")
            sampler = make_sampler(
                name,
                seed,
                device=device,
                params=(sampler_params or {}).get(name),
            )
            X_bal, y_bal, synthetic = _balance(sampler, X_tr, y_tr, record, name)
            if synthetic is not None and len(synthetic):
                if seed == 0:
                    out.examples[key][name] = synthetic
                fidelity = fidelity_summary(
                    real_attack,
                    synthetic,
                    train=X_tr[y_tr == 1],
                    holdout=real_attack,
                    random_state=seed,
                )
                for metric, value in fidelity.items():
                    record(name, "-", metric, value)
                rules = rule_violations(synthetic, CICIOT2023_RULES)
                for rule, share in rules.items():
                    record(name, "-", f"{RULE_PREFIX}{rule}", share)
            for clf_name in classifiers:
                clf = clone(CLASSIFIERS[clf_name](seed))
                if "n_jobs" in clf.get_params():
                    clf.set_params(n_jobs=n_jobs)
                clf.fit(X_bal, y_bal)
                for metric, value in _scores(y_te, clf.predict(X_te)).items():
                    record(name, clf_name, metric, value)
    out.results = pd.DataFrame(records)
    return out


def _record(records: list, run: dict, sampler, classifier, metric, value) -> None:
    records.append(
        dict(
            attack=run["attack"],
            ratio=run["ratio"],
            sampler=sampler,
            classifier=classifier,
            seed=run["seed"],
            metric=metric,
            value=float(value),
        )
    )


def _balance(sampler, X_tr, y_tr, record, name):
    """Balance the training split; time it; return the new attack rows."""
    if sampler is None:
        return X_tr, y_tr, None
    start = time.perf_counter()
    X_bal, y_bal = sampler.fit_resample(X_tr, y_tr)
    record(name, "-", "fit_resample_s", time.perf_counter() - start)
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
