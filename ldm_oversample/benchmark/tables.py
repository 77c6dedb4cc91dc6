"""The report's tables and notes: metric meanings, data description, and the
per-task tables that :func:`~ldm_oversample.benchmark.write_report` puts
together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from ..metrics import rule_violations
from .protocol import RULE_PREFIX, THRESHOLD_SUFFIX, BenchmarkResult
from .rules import CICIOT2023_RULES
from .summary import summary_table

__all__ = [
    "METRIC_MEANINGS",
    "best_per_task",
    "describe_data",
    "glossary",
    "headline",
    "markdown_table",
    "metric_table",
    "rules_table",
    "seed_note",
    "settings_note",
    "tasks_table",
]

#: A numeric column with at least this share of zeros is flagged as mostly zero.
MOSTLY_ZERO = 0.9

#: Fidelity columns of the report, with their direction.
FIDELITY_COLUMNS = {
    "class_faithfulness": "→real",
    "class_faithfulness_real": "(reference)",
    "zero_rate_gap": "↓",
    "marginal_fidelity": "↑",
    "wasserstein_mean": "↓",
    "spearman_mean_abs": "↓",
    "alpha_precision": "↑",
    "beta_recall": "↑",
    "coverage": "↑",
    "detection_auc": "→0.5",
    "dcr_share_closer_to_train": "→0.5",
    "duplicate_rate": "↓",
}
TIME_COLUMNS = ("fit_resample_s", "sample_s", "rows_per_s")

#: One line per reported metric, and the section of the metrics guide
#: (docs/guide/metrics.md) that explains it.
METRIC_MEANINGS = {
    "f1": ("attack-class F1 on the test split: harmonic mean of precision and "
           "recall", "downstream-utility-does-it-help-the-classifier"),
    "precision": ("share of flows flagged as attack that are attacks",
                  "downstream-utility-does-it-help-the-classifier"),
    "recall": ("share of the test split's attacks that are flagged",
               "downstream-utility-does-it-help-the-classifier"),
    "macro_f1": ("mean of the benign and the attack F1",
                 "downstream-utility-does-it-help-the-classifier"),
    "class_faithfulness": ("mean P(attack) that forests cross-fitted on the "
                           "held-out real rows give the synthetic attack rows; "
                           "compare with `class_faithfulness_real`",
                           "class-faithfulness-do-the-rows-look-like-their-class"),
    "class_faithfulness_real": ("the same for the held-out real attack rows, "
                                "out of fold",
                                "class-faithfulness-do-the-rows-look-like-their-class"),
    "zero_rate_gap": ("largest absolute difference of the share of zeros, "
                      "synthetic vs held-out real attack rows, over the columns "
                      "zero in at least half of the real ones",
                      "class-faithfulness-do-the-rows-look-like-their-class"),
    "threshold": ("the decision threshold tuned by cross-validation inside the "
                  "training split (P(attack) >= threshold flags an attack)",
                  "downstream-utility-does-it-help-the-classifier"),
    "marginal_fidelity": ("1 - mean per-column distance (KS for numbers, total "
                          "variation for categories); 1 is identical marginals",
                          "marginals-does-each-column-look-right"),
    "wasserstein_mean": ("mean Wasserstein distance per numeric column, on "
                         "quantile-normal values (0 is identical)",
                         "marginals-does-each-column-look-right"),
    "spearman_mean_abs": ("mean absolute difference of the Spearman "
                          "correlation matrices (0 is identical dependencies)",
                          "dependencies-are-the-columns-related-as-in-the-real-data"),
    "alpha_precision": ("share of synthetic rows inside the real rows' support "
                        "(realism)", "support-fidelity-and-diversity"),
    "beta_recall": ("share of real rows inside the synthetic rows' support "
                    "(diversity)", "support-fidelity-and-diversity"),
    "coverage": ("share of real rows with a synthetic row among their nearest "
                 "neighbours", "support-fidelity-and-diversity"),
    "detection_auc": ("ROC AUC of a classifier telling synthetic from real "
                      "rows; 0.5 is indistinguishable, 1 is trivially told apart",
                      "detection-can-a-classifier-tell-them-apart"),
    "dcr_share_closer_to_train": ("share of synthetic rows closer to a training "
                                  "row than to a held-out one; 0.5 is no "
                                  "memorisation, near 1 is copying",
                                  "privacy-are-training-rows-being-copied"),
    "duplicate_rate": ("share of synthetic rows that exactly copy a training "
                       "row", "privacy-are-training-rows-being-copied"),
    "fit_resample_s": ("seconds of the whole balancing call (training and "
                       "generation)", None),
    "sample_s": ("seconds of sample() of as many rows again on the fitted model",
                 None),
    "rows_per_s": ("rows generated per second by that call", None),
    "rule: any": ("share of synthetic rows breaking at least one consistency "
                  "rule of the flow features (real rows: see the table)",
                  "consistency-rules-are-single-rows-possible"),
}  # fmt: skip


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A DataFrame as a GitHub-flavoured Markdown table (no extra dependency).

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written (reset it to keep it).
    floatfmt : str, default=".3f"
        Format of float cells; integers and text are written as they are.

    Returns
    -------
    table : str
    """

    def cell(value) -> str:
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else format(value, floatfmt)
        return str(value)

    lines = [
        "| " + " | ".join(str(c) for c in frame.columns) + " |",
        "|" + "---|" * frame.shape[1],
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def describe_data(frame: pd.DataFrame, attacks: Sequence[str] = ()) -> list[str]:
    """Report lines about a loaded CICIoT2023 table: labels and odd columns.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`~ldm_oversample.benchmark.load_ciciot2023`.
    attacks : sequence of str, default=()
        The attacks of the run; those that are fine labels (such as
        ``"MITM-ArpSpoofing"``) get their own row counts.

    Returns
    -------
    lines : list of str
        Rows per family; rows per requested fine label; the constant numeric
        columns, and those that are zero in at least 90% of rows (such
        columns carry little signal and are hard for generators).
    """
    family = frame["label_family"].astype(str)
    fine = frame["label_fine"].astype(str)
    counts = family.value_counts()
    lines = [
        f"Rows per family ({len(frame)} in all): "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + "."
    ]
    families = {f.casefold() for f in counts.index}
    fine_counts = fine.value_counts()
    used = [
        label
        for label in fine_counts.index
        if label.casefold() in {a.casefold() for a in attacks}
        and label.casefold() not in families
    ]
    if used:
        lines.append(
            "Fine labels used as attacks: "
            + ", ".join(f"{label} {fine_counts[label]} rows" for label in used)
            + "."
        )
    numeric = frame.drop(columns=["label_family", "label_fine"]).select_dtypes("number")
    constant = [str(c) for c in numeric if numeric[c].nunique() <= 1]
    zero_share = {str(c): float(v) for c, v in (numeric == 0).mean().items()}
    mostly_zero = [
        f"{c} {share:.1%}"
        for c, share in zero_share.items()
        if c not in constant and share >= MOSTLY_ZERO
    ]
    if constant:
        lines.append("Constant columns (no signal): " + ", ".join(constant) + ".")
    if mostly_zero:
        lines.append(
            f"Mostly-zero columns (zero in at least {MOSTLY_ZERO:.0%} of rows): "
            + ", ".join(mostly_zero)
            + "."
        )
    return lines


def headline(results: pd.DataFrame, classifier: str, samplers: Sequence[str]) -> list:
    """F1 mean ± std, tasks x samplers, best mean per task in bold. With one
    seed there is no spread to show, so cells hold the mean alone."""
    table = summary_table(results, "f1", classifier)
    lines = [
        "| task | " + " | ".join(samplers) + " |",
        "|---|" + "---|" * len(samplers),
    ]
    for (attack, ratio), part in table.groupby(level=[0, 1], sort=False):
        part = part.droplevel([0, 1])
        best = part["mean"].max()
        cells = []
        for name in samplers:
            if name not in part.index:
                cells.append("")
                continue
            mean = cast(float, part.loc[name, "mean"])
            std = cast(float, part.loc[name, "std"])
            cell = f"{mean:.3f}" if np.isnan(std) else f"{mean:.3f} ± {std:.3f}"
            cells.append(f"**{cell}**" if np.isclose(mean, best) else cell)
        lines.append(f"| {attack} @ {ratio:g} | " + " | ".join(cells) + " |")
    return lines


def seed_note(results: pd.DataFrame) -> str:
    n = int(results["seed"].nunique()) if len(results) else 0
    if n <= 1:
        return (
            f"n = {n} seed: no spread is measured, so no difference between "
            "samplers here can be told from noise; run more seeds (`--seeds 5`)."
        )
    return (
        f"Mean ± std over n = {n} seeds (each seed is a new split, cut and "
        "model). A difference smaller than the stds is noise."
    )


def settings_note(settings: dict) -> str:
    """What the scores were computed on, and how thresholds were tuned."""
    note = ""
    if settings.get("threshold_cv"):
        note += (
            f" Classifiers named `...{THRESHOLD_SUFFIX}` use the decision "
            f"threshold tuned by {settings['threshold_cv']}-fold cross-validation "
            "inside the training split, the sampler refitted in each fold."
        )
    if settings.get("holdout") == "validation":
        note += (
            " **Scored on a validation part of the training split, not on the "
            "test split** (`--holdout validation`): these are the figures for "
            "choosing settings."
        )
    if settings.get("test_ratio") is not None:
        note += (
            f" **The test split's attack rows were cut to {settings['test_ratio']:g}"
            " x its benign rows** (`--test-ratio`), as imbalanced as deployment "
            "traffic, instead of keeping the data's attack share."
        )
    return note


def tasks_table(result: BenchmarkResult) -> list:
    if not result.splits:
        return []
    lines = [
        "| task | train benign | train attack | test benign | test attack |",
        "|---|---|---|---|---|",
    ]
    for (attack, ratio), n in result.splits.items():
        lines.append(
            f"| {attack} @ {ratio:g} | {n['train_benign']} | {n['train_attack']} | "
            f"{n['test_benign']} | {n['test_attack']} |"
        )
    return lines


def glossary(metrics: Sequence[str], guide: str) -> list:
    """One line per metric shown, each linking its section of the guide."""
    lines = []
    for metric in metrics:
        if metric not in METRIC_MEANINGS:
            continue
        meaning, anchor = METRIC_MEANINGS[metric]
        link = f" ([more]({guide}#{anchor}))" if anchor and guide else ""
        lines.append(f"- `{metric}`: {meaning}{link}.")
    return lines


def rules_table(result: BenchmarkResult, samplers: Sequence[str]) -> list:
    """Share of rows breaking each consistency rule: real rows, then samplers."""
    part = result.results[result.results["metric"].str.startswith(RULE_PREFIX)]
    if part.empty:
        return ["(no rule applies to these columns, or no sampler made rows)"]
    rules = list(dict.fromkeys(m.removeprefix(RULE_PREFIX) for m in part["metric"]))
    lines = [
        "| task | rows | " + " | ".join(rules) + " |",
        "|---|---|" + "---|" * len(rules),
    ]
    means = part.groupby(["attack", "ratio", "sampler", "metric"], sort=False)[
        "value"
    ].mean()
    for (attack, ratio), example in result.examples.items():
        real = rule_violations(example["real"], CICIOT2023_RULES)
        cells = [format(real.get(r, np.nan), ".3f") for r in rules]
        lines.append(
            f"| {attack} @ {ratio:g} | real (held out) | " + " | ".join(cells) + " |"
        )
        for name in samplers:
            key = (attack, ratio, name)
            if (*key, RULE_PREFIX + "any") not in means.index:
                continue
            cells = [
                format(means.get((*key, RULE_PREFIX + r), np.nan), ".3f") for r in rules
            ]
            lines.append(
                f"| {attack} @ {ratio:g} | {name} | " + " | ".join(cells) + " |"
            )
    return lines


def metric_table(
    results: pd.DataFrame, metrics: Sequence[str], classifier: str, fmt: str
) -> list:
    """Per task x sampler, the means of several metrics."""
    part = results[
        (results["classifier"] == classifier) & results["metric"].isin(metrics)
    ]
    if part.empty:
        return ["(none measured)"]
    wide = part.pivot_table(
        index=["attack", "ratio", "sampler"],
        columns="metric",
        values="value",
        aggfunc="mean",
        sort=False,
    )
    present = [m for m in metrics if m in wide.columns]
    lines = [
        "| task | sampler | " + " | ".join(present) + " |",
        "|---|---|" + "---|" * len(present),
    ]
    for key, row in wide.iterrows():
        attack, ratio, sampler = cast(tuple[str, float, str], key)
        cells = [format(row[m], fmt) if pd.notna(row[m]) else "" for m in present]
        lines.append(
            f"| {attack} @ {ratio:g} | {sampler} | " + " | ".join(cells) + " |"
        )
    return lines


def best_per_task(results: pd.DataFrame, classifier: str) -> list:
    table = summary_table(results, "f1", classifier).reset_index()
    lines = []
    for (attack, ratio), part in table.groupby(["attack", "ratio"], sort=False):
        ranked = part.sort_values("mean", ascending=False)
        top = ranked.iloc[0]
        ldm = part[part["sampler"] == "ldm"]
        where = ""
        if len(ldm) and top["sampler"] != "ldm":
            gap = float(ldm["mean"].iloc[0] - top["mean"])
            where = f"; ldm {ldm['mean'].iloc[0]:.3f} ({gap:+.3f})"
        lines.append(
            f"- {attack} @ {ratio:g}: best {top['sampler']} ({top['mean']:.3f}){where}"
        )
    return lines
