"""The multiclass task: every family at once, the attack families made scarce.

A detector in the field tells Benign from every attack at once, so the
binary tasks of :mod:`.protocol` are complemented by one task with all the
families of the table: a stratified split, the training rows of every attack
family cut to ``ratio`` times the benign rows, and one ``sampling_strategy``
dict that raises each cut family back to the benign count. A class-conditional
generator is then fitted once for the nine families together, which is how a
user would call it. Scores are macro-F1 over all classes and F1 per class, at
the classifier's most probable class (a single decision threshold does not
exist for several classes, so no threshold is tuned here).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from .baselines import make_sampler
from .scoring import make_classifier, resample_or_keep
from .splits import BENIGN, multiclass_split

__all__ = ["MULTICLASS", "multiclass_tables", "run_multiclass"]

#: The name of the multiclass task in results and reports.
MULTICLASS = "all families"
#: Prefix of the per-class F1 metrics (``"f1: Spoofing"``).
CLASS_F1 = "f1: "
#: Samplers that reduce rows, so a dict of over-sampling targets does not
#: apply; they run at their own defaults.
_UNDER = frozenset({"rus"})


def run_multiclass(
    frame: pd.DataFrame,
    *,
    ratios: Sequence[float],
    seeds: Sequence[int],
    samplers: Sequence[str],
    classifiers: Sequence[str],
    record: Callable[..., None],
    device: str = "auto",
    sampler_params: dict[str, dict] | None = None,
    holdout: str = "test",
    n_jobs: int | None = None,
) -> dict[float, dict[str, int]]:
    """Score every sampler and classifier on the multiclass task.

    Parameters
    ----------
    frame : DataFrame
        A loaded CICIoT2023 table.
    ratios, seeds, samplers, classifiers
        As in :func:`~ldm_oversample.benchmark.run_benchmark`.
    record : callable
        ``record(ratio, seed, sampler, classifier, metric, value)``, called
        once per measurement.
    device, sampler_params, holdout, n_jobs
        As in :func:`~ldm_oversample.benchmark.run_benchmark`.

    Returns
    -------
    sizes : dict
        Per ratio, the training rows per class of the first seed's split.
    """
    sizes: dict[float, dict[str, int]] = {}
    for ratio in ratios:
        for seed in seeds:
            X_tr, y_tr, X_te, y_te = multiclass_split(
                frame, ratio, seed, holdout=holdout
            )
            counts = pd.Series(y_tr).value_counts().sort_index()
            sizes.setdefault(ratio, {str(c): int(n) for c, n in counts.items()})
            # One dict for every family: each cut class back to the benign rows.
            n_benign = int(counts[BENIGN])
            targets = {c: n_benign for c, n in counts.items() if n < n_benign}
            for name in samplers:
                params = dict((sampler_params or {}).get(name) or {})
                if name not in _UNDER and name != "none":
                    params.setdefault("sampling_strategy", targets)
                sampler = make_sampler(name, seed, device=device, params=params)
                start = time.perf_counter()
                X_bal, y_bal, failed = resample_or_keep(sampler, X_tr, y_tr)
                mark = functools.partial(record, ratio, seed, name)
                if sampler is not None:
                    mark("-", "fit_resample_s", time.perf_counter() - start)
                    mark("-", "failed", float(failed))
                for clf_name in classifiers:
                    _score(mark, clf_name, seed, n_jobs, X_bal, y_bal, X_te, y_te)
    return sizes


def _score(mark, clf_name, seed, n_jobs, X_bal, y_bal, X_te, y_te) -> None:
    """Macro-F1 and per-class F1 of one classifier trained on balanced rows."""
    clf = make_classifier(clf_name, seed, n_jobs)
    predicted = clf.fit(X_bal, y_bal).predict(X_te)
    mark(clf_name, "macro_f1", f1_score(y_te, predicted, average="macro"))
    labels = np.unique(y_te)
    per_class = f1_score(y_te, predicted, labels=labels, average=None)
    for label, value in zip(labels, per_class, strict=True):
        mark(clf_name, CLASS_F1 + str(label), value)


def multiclass_tables(results: pd.DataFrame) -> list[str]:
    """Markdown lines: macro-F1 per sampler and ratio, then per-class F1.

    Parameters
    ----------
    results : DataFrame
        The tidy multiclass results (columns ``ratio, sampler, classifier,
        seed, metric, value``), as in
        :attr:`~ldm_oversample.benchmark.BenchmarkResult.multiclass`.

    Returns
    -------
    lines : list of str
    """
    scored = results[results["classifier"] != "-"]
    if scored.empty:
        return []
    samplers = list(dict.fromkeys(scored["sampler"]))
    lines: list[str] = []
    macro = scored[scored["metric"] == "macro_f1"]
    timed = results[results["metric"] == "fit_resample_s"]
    seconds = timed.groupby(["ratio", "sampler"])["value"].mean()
    for clf, part in macro.groupby("classifier", sort=False):
        by_seed = part.set_index(["ratio", "sampler", "seed"])["value"].sort_index()
        ratios = sorted(part["ratio"].unique())
        lines += [
            f"Macro-F1 over all classes ({clf}); the best mean per ratio in bold. "
            "`ldm wins`: seeds on which the LDM's macro-F1 is higher; "
            "`s`: seconds of `fit_resample`.",
            "",
            "| sampler | "
            + " | ".join(f"ratio {r:g} | ldm wins | s" for r in ratios)
            + " |",
            "|---|" + "---|---|---|" * len(ratios),
        ]
        means = by_seed.groupby(level=["ratio", "sampler"]).mean()
        best = means.groupby(level="ratio").max()
        for name in samplers:
            cells = []
            for r in ratios:
                mine = by_seed.loc[(r, name)]
                cell = f"{mine.mean():.3f}" + (
                    f" ± {mine.std():.3f}" if len(mine) > 1 else ""
                )
                bold = np.isclose(mine.mean(), best[r])
                cells.append(f"**{cell}**" if bold else cell)
                if "ldm" in samplers and name != "ldm":
                    ldm = by_seed.loc[(r, "ldm")].reindex(mine.index)
                    cells.append(f"{int((ldm > mine).sum())}/{len(mine)}")
                else:
                    cells.append("")
                took = seconds.get((r, name))
                cells.append("" if took is None else f"{took:.3g}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    per_class = scored[scored["metric"].str.startswith(CLASS_F1)]
    for key, part in per_class.groupby(["classifier", "ratio"], sort=False):
        classifier, ratio = cast("tuple[str, float]", key)
        table = (
            part.assign(cls=part["metric"].str.removeprefix(CLASS_F1))
            .groupby(["sampler", "cls"], sort=False)["value"]
            .mean()
            .unstack("cls")
        )
        classes = list(table.columns)
        lines += [
            f"F1 per class ({classifier}, ratio {ratio:g}), means over seeds.",
            "",
            "| sampler | " + " | ".join(classes) + " |",
            "|---|" + "---|" * len(classes),
        ]
        for name in samplers:
            row = table.loc[name]
            lines.append(
                f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in classes) + " |"
            )
        lines.append("")
    return lines
