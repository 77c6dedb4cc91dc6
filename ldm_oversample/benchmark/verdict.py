"""Does the LDM beat the strongest simple alternatives? The report's verdict.

The bar an oversampler has to clear is not "no oversampling" but the best of
two cheap fixes: the classifier's decision threshold tuned by cross-validation
(no synthetic rows at all), and SMOTE in a quantile-normal space, with or
without a tuned threshold. :func:`verdict_lines` sets the LDM, at the
threshold 0.5 and at a tuned one, against the best of those per task, counts
the seeds it wins on (same split, same classifier seed), and says whether the
utility target holds on the hard tasks. Where the run has random
under-sampling, it also sets the LDM against the best of those and
under-sampling (:data:`ALSO_SIMPLE`): on the shared sample's binary tasks
under-sampling is the strongest simple alternative of all, because the test
split keeps the data's attack share (39-50%) while training holds 2% or 10%, and
balancing the training rows moves the decision toward the test split's prior.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from .scoring import THRESHOLD_SUFFIX

__all__ = [
    "ALSO_SIMPLE",
    "HARD",
    "TARGET_GAIN",
    "TARGET_WORST",
    "simple_alternatives",
    "verdict_lines",
]

#: A task is hard when the best simple alternative scores below this F1.
HARD = 0.95
#: The target: mean F1 gain over the best simple alternative, on hard tasks.
TARGET_GAIN = 0.03
#: ... and no hard task more than this far below it.
TARGET_WORST = -0.01
#: Simple samplers the LDM is also set against where the run has them (the
#: hard tasks and the target stay those of :func:`simple_alternatives`).
ALSO_SIMPLE = ("rus",)


def simple_alternatives(classifier: str) -> list[tuple[str, str]]:
    """The (sampler, classifier) pairs the LDM is measured against."""
    tuned = classifier + THRESHOLD_SUFFIX
    return [("none", tuned), ("smote_normal", classifier), ("smote_normal", tuned)]


def _f1_by_seed(results: pd.DataFrame) -> pd.Series:
    part = results[results["metric"] == "f1"]
    return part.set_index(["attack", "ratio", "sampler", "classifier", "seed"])["value"]


def verdict_lines(results: pd.DataFrame, classifiers: Sequence[str]) -> list[str]:
    """Markdown: per classifier, the LDM against the best simple alternative.

    Parameters
    ----------
    results : DataFrame
        Tidy results of :func:`~ldm_oversample.benchmark.run_benchmark`, with
        the tuned-threshold rows (``threshold_cv`` set), ``none``,
        ``smote_normal`` and ``ldm``.
    classifiers : sequence of str
        Base classifier names (without the threshold suffix).

    Returns
    -------
    lines : list of str
        Empty when the results lack what the comparison needs.
    """
    f1 = _f1_by_seed(results)
    lines: list[str] = []
    for clf in classifiers:
        tuned = clf + THRESHOLD_SUFFIX
        pairs = simple_alternatives(clf)
        table = f1.groupby(level=["attack", "ratio", "sampler", "classifier"]).mean()
        needed = [("ldm", clf), ("ldm", tuned), *pairs]
        have = set(zip(
            table.index.get_level_values("sampler"),
            table.index.get_level_values("classifier"),
            strict=True,
        ))  # fmt: skip
        if not set(needed) <= have:
            continue
        lines += [
            f"### {clf}",
            "",
            "| task | best simple alternative | ldm | gap | ldm wins | "
            f"ldm{THRESHOLD_SUFFIX} | gap | ldm wins |",
            "|---|---|---|---|---|---|---|---|",
        ]
        also = [(s, c) for s in ALSO_SIMPLE for c in (clf, tuned) if (s, c) in have]
        gaps: dict[str, list[float]] = {clf: [], tuned: []}
        # Against the best of ``pairs`` and ``also``: gaps, seeds won, seeds.
        also_gaps: dict[str, list[float]] = {clf: [], tuned: []}
        also_wins: dict[str, list[int]] = {clf: [0, 0], tuned: [0, 0]}
        for key, part in table.groupby(level=["attack", "ratio"], sort=False):
            attack, ratio = cast(tuple[str, float], key)
            part = part.droplevel(["attack", "ratio"])
            scores = {pair: part.get(pair, np.nan) for pair in pairs}
            best = max(scores, key=lambda pair: scores[pair])
            cells = [
                f"{best[0]} ({best[1]}) {scores[best]:.3f}",
            ]
            for variant in (clf, tuned):
                mine = float(part[("ldm", variant)])
                gap = mine - scores[best]
                wins = _wins(f1, attack, ratio, ("ldm", variant), best)
                cells += [f"{mine:.3f}", f"{gap:+.3f}", wins]
                if scores[best] < HARD:
                    gaps[variant].append(gap)
                if scores[best] < HARD and also:
                    top = max([*pairs, *also], key=lambda p: part.get(p, -np.inf))
                    also_gaps[variant].append(mine - float(part[top]))
                    won, n = _win_count(f1, attack, ratio, ("ldm", variant), top)
                    also_wins[variant][0] += won
                    also_wins[variant][1] += n
            hard = "" if scores[best] < HARD else " (easy)"
            lines.append(f"| {attack} @ {ratio:g}{hard} | " + " | ".join(cells) + " |")
        lines.append("")
        for variant, values in gaps.items():
            if not values:
                lines.append(f"- ldm ({variant}): no hard task (all at F1 >= {HARD}).")
                continue
            mean, worst = float(np.mean(values)), float(np.min(values))
            met = mean >= TARGET_GAIN and worst >= TARGET_WORST
            lines.append(
                f"- ldm ({variant}) on the {len(values)} hard tasks: mean gap "
                f"{mean:+.3f}, worst {worst:+.3f}; target (mean >= "
                f"{TARGET_GAIN:+.2f}, none below {TARGET_WORST:+.2f}) "
                + ("**met**" if met else "**missed**")
                + "."
            )
            if also:
                lines.append(
                    _also_line(variant, also, also_gaps[variant], *also_wins[variant])
                )
        lines.append("")
    return lines


def _also_line(variant: str, also: list, gaps: list[float], won: int, n: int) -> str:
    """The summary line of the LDM against the best of the simple alternatives
    and the pairs of ``also``."""
    names = ", ".join(f"{s} ({c})" for s, c in also)
    return (
        f"- ldm ({variant}) against the best of those and {names}, on the same "
        f"{len(gaps)} hard tasks: mean gap {np.mean(gaps):+.3f}, worst "
        f"{np.min(gaps):+.3f}; the LDM ahead on {won} of {n} task-seeds."
    )


def _win_count(
    f1: pd.Series, attack, ratio, mine: tuple, other: tuple
) -> tuple[int, int]:
    """Seeds on which ``mine`` beats ``other``, and the seeds both have."""
    levels: Any = ["attack", "ratio", "sampler", "classifier"]
    a = f1.xs((attack, ratio, *mine), level=levels)
    b = f1.xs((attack, ratio, *other), level=levels)
    a, b = a.align(b, join="inner")
    return int((a > b).sum()), len(a)


def _wins(f1: pd.Series, attack, ratio, mine: tuple, other: tuple) -> str:
    """:func:`_win_count` as ``"k/n"``."""
    return "{}/{}".format(*_win_count(f1, attack, ratio, mine, other))


def wins_table(results: pd.DataFrame, classifier: str) -> list[str]:
    """Markdown: per task, on how many seeds the LDM beats each other sampler,
    both scored with ``classifier``."""
    f1 = _f1_by_seed(results)
    part = f1.xs(classifier, level="classifier")
    samplers = [
        s for s in dict.fromkeys(part.index.get_level_values("sampler")) if s != "ldm"
    ]
    if "ldm" not in set(part.index.get_level_values("sampler")) or not samplers:
        return []
    lines = [
        "| task | " + " | ".join(samplers) + " |",
        "|---|" + "---|" * len(samplers),
    ]
    tasks = dict.fromkeys(zip(
        part.index.get_level_values("attack"),
        part.index.get_level_values("ratio"),
        strict=True,
    ))  # fmt: skip
    for attack, ratio in tasks:
        cells = [
            _wins(f1, attack, ratio, ("ldm", classifier), (s, classifier))
            for s in samplers
        ]
        lines.append(f"| {attack} @ {ratio:g} | " + " | ".join(cells) + " |")
    return lines
