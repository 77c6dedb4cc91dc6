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
sampler and one classifier). Every sampler is also scored with the
classifier's decision threshold tuned by cross-validation inside the training
split, the sampler refitted in each fold (:mod:`.threshold`), since a tuned
threshold alone is the strongest simple alternative to oversampling.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import cast

import pandas as pd
import torch
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .baselines import GENERATORS, SAMPLERS, make_sampler
from .multiclass import run_multiclass
from .scoring import CLASSIFIERS, RULE_PREFIX, THRESHOLD_SUFFIX, Run
from .splits import (
    HOLDOUTS,
    _check_names,
    attack_families,
    make_task,
    scarce_split,
)

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_ATTACKS",
    "DEFAULT_CLASSIFIERS",
    "DEFAULT_RATIOS",
    "DEFAULT_SAMPLERS",
    "RULE_PREFIX",
    "SAMPLERS",
    "THRESHOLD_SUFFIX",
    "BenchmarkResult",
    "attack_families",
    "make_sampler",
    "make_task",
    "merge_results",
    "run_benchmark",
    "scarce_split",
]

#: None: every attack family in the data, each against Benign.
DEFAULT_ATTACKS = None
DEFAULT_RATIOS = (0.02, 0.1)
DEFAULT_SAMPLERS = tuple(SAMPLERS)
DEFAULT_CLASSIFIERS = ("rf", "hgb")


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
    settings : dict, default={}
        The run's ``holdout`` and ``threshold_cv``.
    multiclass : DataFrame, default=empty
        The multiclass task's tidy results (:mod:`.multiclass`): columns
        ``ratio, sampler, classifier, seed, metric, value``, metrics
        ``macro_f1`` and ``"f1: <family>"`` per class.
    multiclass_splits : dict, default={}
        Per ratio, the training rows per class of the first seed's
        multiclass split.
    """

    results: pd.DataFrame
    examples: dict = field(default_factory=dict)
    importances: dict = field(default_factory=dict)
    splits: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    multiclass: pd.DataFrame = field(default_factory=pd.DataFrame)
    multiclass_splits: dict = field(default_factory=dict)


def run_benchmark(
    frame: pd.DataFrame,
    *,
    attacks: Sequence[str] | None = DEFAULT_ATTACKS,
    ratios: Sequence[float] = DEFAULT_RATIOS,
    seeds: int | Sequence[int] = 5,
    samplers: Sequence[str] = DEFAULT_SAMPLERS,
    classifiers: Sequence[str] = DEFAULT_CLASSIFIERS,
    device: str = "auto",
    sampler_params: dict[str, dict] | None = None,
    threshold_cv: int | None = 5,
    holdout: str = "test",
    test_ratio: float | None = None,
    multiclass: bool = False,
    n_jobs: int | None = None,
    jobs: int = 1,
    progress: bool = True,
) -> BenchmarkResult:
    """Run the protocol and collect every measurement.

    Parameters
    ----------
    frame : DataFrame
        A loaded CICIoT2023 table (see
        :func:`~ldm_oversample.benchmark.load_ciciot2023`).
    attacks : sequence of str or None, default=None
        Attack families or fine labels, each a Benign-vs-attack task. None
        takes every family in the data (:func:`attack_families`).
    ratios : sequence of float, default=(0.02, 0.1)
        Training attack rows as a fraction of training benign rows.
    seeds : int or sequence of int, default=5
        The seeds (an integer ``n`` is ``0 .. n - 1``): split, cut, sampler and
        classifier seeds.
    samplers : sequence of str, default=every name of :data:`SAMPLERS`
        Names from :data:`SAMPLERS`.
    classifiers : sequence of str, default=("rf", "hgb")
        Names from :data:`CLASSIFIERS` (RandomForest-200, HistGradientBoosting).
    device : str, default="auto"
        Device of the neural samplers.
    sampler_params : dict of dict, optional
        Extra parameters per sampler name, e.g. ``{"ldm": {"max_epochs": 50}}``.
    threshold_cv : int or None, default=5
        Also score every sampler and classifier with the decision threshold
        tuned by this many stratified folds of the training split (capped at
        its attack rows), recorded under the classifier name plus
        :data:`THRESHOLD_SUFFIX`. The sampler is refitted inside each fold on
        the fold's training rows, so this costs ``threshold_cv`` more fits
        per sampler. None scores at the threshold 0.5 only.
    holdout : {"test", "validation"}, default="test"
        Score on the test split, or on a validation part of the training split
        (see :func:`scarce_split`) to choose settings without seeing the test
        split.
    test_ratio : float or None, default=None
        Cut the held-out attack rows of the binary tasks to this fraction of
        the held-out benign rows (:func:`scarce_split`), so that the scored
        rows are as imbalanced as deployment traffic; None keeps the data's
        attack share (39-50% on the shared sample).
    multiclass : bool, default=False
        Also run the multiclass task (:mod:`.multiclass`): every family at
        once, each attack family cut to the ratio and raised back by one
        ``sampling_strategy`` dict, scored by macro-F1 and per-class F1
        (:attr:`BenchmarkResult.multiclass`). ``attacks=[]`` runs it alone.
    n_jobs : int or None, default=None
        Jobs of the random forest.
    jobs : int, default=1
        Runs (task x ratio x seed) in parallel, each in its own process
        (joblib's ``loky``) with its share of the CPU threads. The results
        are those of ``jobs=1``, in the same order.
    progress : bool, default=True
        Show a progress bar over the runs.

    Returns
    -------
    BenchmarkResult
    """
    _check_names(samplers, SAMPLERS, "sampler")
    _check_names(classifiers, CLASSIFIERS, "classifier")
    _check_names([holdout], HOLDOUTS, "holdout")
    _check_names(list(sampler_params or {}), SAMPLERS, "sampler in sampler_params")
    for name, params in (sampler_params or {}).items():
        make_sampler(name, 0, device=device, params=params)  # typos fail here
    seed_list: list[int] = (
        list(range(int(seeds)))
        if isinstance(seeds, Integral)
        else [int(s) for s in cast("Sequence[int]", seeds)]
    )
    if not seed_list:
        raise ValueError(f"seeds must be at least 1; got {seeds}")
    if threshold_cv is not None and threshold_cv < 2:
        raise ValueError(f"threshold_cv must be at least 2 or None; got {threshold_cv}")
    for ratio in ratios:
        if not 0 < ratio <= 1:
            raise ValueError(f"ratios must be in (0, 1]; got {ratio}")
    if test_ratio is not None and not 0 < test_ratio <= 1:
        raise ValueError(f"test_ratio must be in (0, 1]; got {test_ratio}")
    names = attack_families(frame) if attacks is None else list(attacks)
    tasks = [make_task(frame, attack) for attack in names]
    if jobs > 1:
        parts: list[tuple[str | None, float, int]] = [
            (a, r, s) for a in names for r in ratios for s in seed_list
        ]
        if multiclass:
            parts += [(None, r, s) for r in ratios for s in seed_list]
        threads = max(1, (os.cpu_count() or 1) // jobs)
        calls = (
            delayed(_run_part)(
                frame, a, r, s, threads,
                dict(
                    samplers=samplers, classifiers=classifiers, device=device,
                    sampler_params=sampler_params, threshold_cv=threshold_cv,
                    holdout=holdout, test_ratio=test_ratio, n_jobs=1,
                    progress=False,
                ),
            )
            for a, r, s in parts
        )  # fmt: skip
        results = Parallel(n_jobs=jobs, return_as="generator")(calls)
        done = list(
            tqdm(results, total=len(parts), desc="benchmark", disable=not progress)
        )
        return merge_results(done)
    records: list[dict] = []
    out = BenchmarkResult(
        pd.DataFrame(),
        settings={
            "holdout": holdout, "threshold_cv": threshold_cv, "test_ratio": test_ratio
        },
    )  # fmt: skip
    if multiclass:
        rows: list[dict] = []
        out.multiclass_splits = run_multiclass(
            frame, ratios=ratios, seeds=seed_list, samplers=samplers,
            classifiers=classifiers, device=device, sampler_params=sampler_params,
            holdout=holdout, n_jobs=n_jobs,
            record=lambda ratio, seed, sampler, clf, metric, value: rows.append(
                dict(ratio=ratio, sampler=sampler, classifier=clf, seed=seed,
                     metric=metric, value=float(value))
            ),
        )  # fmt: skip
        out.multiclass = pd.DataFrame(rows, columns=list(_COLUMNS[1:]))
    runs = [(t, r, s) for t in tasks for r in ratios for s in seed_list]
    bar = tqdm(runs, desc="benchmark", disable=not progress, unit="run")
    for (X, y, attack), ratio, seed in bar:
        X_tr, y_tr, X_te, y_te = scarce_split(
            X, y, ratio, seed, holdout=holdout, test_ratio=test_ratio
        )
        key = (attack, ratio)
        if seed == seed_list[0]:
            _describe_split(out, key, X_tr, y_tr, X_te, y_te, seed, n_jobs)
        record = functools.partial(
            _record, records, dict(attack=attack, ratio=ratio, seed=seed)
        )
        run = Run(
            X_tr, y_tr, X_te, y_te, seed, device, sampler_params or {}, n_jobs,
            record, threshold_cv,
        )  # fmt: skip
        for name in samplers:
            bar.set_postfix_str(f"{attack} @ {ratio:g}, seed {seed}, {name}")
            synthetic = run.score(name, classifiers)
            if seed == seed_list[0] and synthetic is not None and name in PLOTTED:
                out.examples[key][name] = synthetic
    out.results = pd.DataFrame(records, columns=list(_COLUMNS))
    return out


def _run_part(frame, attack, ratio, seed, threads, kwargs) -> BenchmarkResult:
    """One run of a parallel benchmark, in a worker process (``attack`` None:
    the multiclass task)."""
    torch.set_num_threads(threads)
    return run_benchmark(
        frame,
        attacks=[] if attack is None else [attack],
        ratios=[ratio],
        seeds=[seed],
        multiclass=attack is None,
        **kwargs,
    )


def merge_results(parts: Sequence[BenchmarkResult]) -> BenchmarkResult:
    """One result from runs of disjoint tasks or seeds (parallel parts).

    Parameters
    ----------
    parts : sequence of BenchmarkResult
        In the order their rows should appear. A task's examples, importances
        and split sizes come from the first part that has them.

    Returns
    -------
    BenchmarkResult
    """
    merged = BenchmarkResult(
        pd.concat([p.results for p in parts], ignore_index=True),
        settings=dict(parts[0].settings) if parts else {},
        multiclass=pd.concat([p.multiclass for p in parts], ignore_index=True),
    )
    for part in parts:
        for name in ("examples", "importances", "splits", "multiclass_splits"):
            mine = getattr(merged, name)
            for key, value in getattr(part, name).items():
                mine.setdefault(key, value)
    return merged


_COLUMNS = ("attack", "ratio", "sampler", "classifier", "seed", "metric", "value")

#: Samplers whose synthetic rows the report plots.
PLOTTED = frozenset({"smote", "smote_normal", *GENERATORS})


def _describe_split(out, key, X_tr, y_tr, X_te, y_te, seed, n_jobs) -> None:
    """Rows and importances of a task's first seed, for the report."""
    out.examples[key] = {"real": X_te[y_te == 1], "train": X_tr[y_tr == 1]}
    out.splits[key] = {
        "train_benign": int((y_tr == 0).sum()),
        "train_attack": int((y_tr == 1).sum()),
        "test_benign": int((y_te == 0).sum()),
        "test_attack": int((y_te == 1).sum()),
    }
    forest = CLASSIFIERS["rf"](seed).set_params(n_jobs=n_jobs)
    forest.fit(X_tr, y_tr)
    out.importances[key] = pd.Series(
        forest.feature_importances_, index=X_tr.columns
    ).sort_values(ascending=False)


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
