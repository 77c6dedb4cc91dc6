"""The per-class quality report of a ``fit_resample`` call.

With ``quality_report=True`` (or a share), a sampler's ``fit_resample`` holds
out part of each class's real rows (:func:`holdout_split`), fits the generator
on the rest, and compares each over-sampled class's new rows with the held-out
rows, which the generator never saw (:func:`quality_report`). The returned
table still holds every original row. The held-out rows keep the figures
honest: a generator that copies its training rows looks perfect against those
rows, and no better than a fresh sample against held-out ones, which is what
the DCR share measures.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ..metrics import ClassFaithfulness, fidelity_summary, jensen_shannon_distances
from ..metrics._common import _embed, _nearest, _split_columns, _subsample
from ..metrics._detection import _encode_for_trees
from ..tabular import resolve_categorical_features
from ..utils import _caller_stacklevel, private_seed

__all__ = [
    "DETECTION_WARNING",
    "MEMORISATION_WARNING",
    "QUALITY_COLUMNS",
    "SyntheticQualityWarning",
    "describe_quality",
    "holdout_split",
    "quality_report",
]

#: Columns of a quality report, with what each one says.
QUALITY_COLUMNS = {
    "n_generated": "rows generated for the class",
    "n_holdout": "held-out real rows of the class the figures compare with",
    "wasserstein": "mean Wasserstein-1 of the numeric columns on quantile-normal "
    "values, in standard deviations (0 best)",
    "jensen_shannon": "mean Jensen-Shannon distance of the categorical columns "
    "(0 best; NaN without categorical columns)",
    "correlation_error": "mean absolute difference of the Spearman correlations "
    "(0 best)",
    "coverage": "share of held-out rows with a synthetic row among their 5 nearest "
    "neighbours (1 best)",
    "dcr_share_closer_to_train": "share of synthetic rows whose nearest real row "
    "is a training row, not a held-out one, reweighted to equal set sizes (0.5 "
    "ideal; 1: copies of training rows)",
    "detection_auc": "cross-validated AUC of a classifier separating synthetic "
    "from held-out rows (0.5 ideal)",
    "faithfulness": "mean P(class) that classifiers fitted on the real rows give "
    "the synthetic rows",
    "faithfulness_real": "the same for the real rows of the class (out of fold)",
    "faithfulness_gap": "faithfulness minus faithfulness_real (near 0 faithful; "
    "negative: the rows lean towards other classes)",
}

#: A class whose synthetic rows are closer to the training rows than to the
#: held-out rows this often is warned about (0.5 is what a fresh sample gets).
MEMORISATION_WARNING = 0.6
#: A class whose synthetic rows a classifier tells from held-out real rows
#: with at least this AUC is warned about.
DETECTION_WARNING = 0.9
#: Held-out rows a class needs before its figures can warn: with fewer, a
#: fresh sample reads above MEMORISATION_WARNING too often (4% at 30 rows in
#: 20 dimensions, 20% at 10; a simulation of normal data).
_MIN_WARN_ROWS = 30
#: Classes with fewer rows keep them all for the generator.
_MIN_HOLDOUT_CLASS = 5


class SyntheticQualityWarning(UserWarning):
    """A class's synthetic rows look memorised or easy to detect."""


def holdout_split(
    y: np.ndarray, share: float, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows to fit on and of the rows held out, per class.

    Each class with at least 5 rows holds out ``round(share * n)`` of them (at
    least one) at random; smaller classes hold out none.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class labels.
    share : float
        Share of each class held out, in (0, 1).
    random_state : int, RandomState instance or None
        Seed of the draw.

    Returns
    -------
    fit_rows, held_rows : ndarray of int
        Sorted positions into ``y``.
    """
    rng = check_random_state(random_state)
    held = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        if len(rows) >= _MIN_HOLDOUT_CLASS:
            n_held = min(max(1, round(share * len(rows))), len(rows) - 2)
            held.append(rng.choice(rows, size=n_held, replace=False))
    held_rows = np.sort(np.concatenate(held)) if held else np.zeros(0, dtype=int)
    fit_rows = np.setdiff1d(np.arange(len(y)), held_rows)
    return fit_rows, held_rows


def quality_holdout(
    setting: bool | float, y: np.ndarray, random_state: Any
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """:func:`holdout_split` for a sampler's ``quality_report`` setting
    (``True`` holds out 0.2), or ``(None, None)`` when it is off."""
    if not setting:
        return None, None
    share = 0.2 if setting is True else float(setting)
    return holdout_split(y, share, private_seed(random_state))


def _frame(X: Any) -> pd.DataFrame:
    if sp.issparse(X):
        X = X.toarray()
    return X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(X)


def quality_report(
    X_train: Any,
    y_train: Any,
    X_holdout: Any,
    y_holdout: Any,
    X_synthetic: Any,
    y_synthetic: Any,
    *,
    categorical_features: Any = "auto",
    random_state: Any = None,
    max_samples: int = 2000,
    warn_as: str | None = None,
) -> pd.DataFrame:
    """Per over-sampled class: how the synthetic rows compare with real ones.

    Parameters
    ----------
    X_train, y_train : DataFrame or array-like, and array-like
        The real rows the generator was fitted on.
    X_holdout, y_holdout : DataFrame or array-like, and array-like
        Real rows it never saw; the fidelity, coverage and detection figures
        compare the synthetic rows with these.
    X_synthetic, y_synthetic : DataFrame or array-like, and array-like
        The generated rows and their classes.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical, as the sampler resolved them.
    random_state : int, RandomState instance or None, default=None
        Seed of the subsampling and the classifiers.
    max_samples : int, default=2000
        Most rows per class and table the figures use.
    warn_as : str, optional
        Emit a :class:`SyntheticQualityWarning`, naming this sampler, for each
        class whose rows look memorised or easy to detect.

    Returns
    -------
    report : DataFrame
        Indexed by class (the classes in ``y_synthetic``), with the columns of
        :data:`QUALITY_COLUMNS`. Figures that need held-out rows are NaN for a
        class with fewer than two.
    """
    rng = check_random_state(random_state)
    train, holdout, synthetic = _frame(X_train), _frame(X_holdout), _frame(X_synthetic)
    y_train, y_holdout = np.asarray(y_train), np.asarray(y_holdout)
    y_synthetic = np.asarray(y_synthetic)
    mask = resolve_categorical_features(train, categorical_features)
    categorical = [c for c, m in zip(train.columns, mask, strict=True) if m]
    faithful = _faithfulness(train, y_train, synthetic, y_synthetic, mask, rng)
    rows = {}
    for label in pd.unique(y_synthetic):
        syn = synthetic[y_synthetic == label].reset_index(drop=True)
        held = holdout[y_holdout == label].reset_index(drop=True)
        row: dict[str, float] = dict.fromkeys(QUALITY_COLUMNS, np.nan)
        row.update(n_generated=len(syn), n_holdout=len(held), **faithful.get(label, {}))
        if len(held) >= 2:
            fit = train[y_train == label].reset_index(drop=True)
            summary = fidelity_summary(
                held, syn, train=fit, holdout=held, categorical_features=mask,
                random_state=rng, max_samples=max_samples,
            )  # fmt: skip
            if categorical:
                js = jensen_shannon_distances(held[categorical], syn[categorical])
                row["jensen_shannon"] = float(js.mean())
            row.update(
                wasserstein=summary["wasserstein_mean"],
                correlation_error=summary["spearman_mean_abs"],
                coverage=summary["coverage"],
                dcr_share_closer_to_train=_closer_to_train(
                    fit, held, _subsample(syn, max_samples, rng), mask
                ),
                detection_auc=summary["detection_auc"],
            )
        rows[label] = row
    report = pd.DataFrame.from_dict(rows, orient="index", columns=list(QUALITY_COLUMNS))
    report.index.name = "class"
    report = report.astype({"n_generated": int, "n_holdout": int})
    if warn_as is not None:
        warn_quality(report, warn_as)
    return report


def _closer_to_train(
    train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, mask
) -> float:
    """Share of synthetic rows nearer a training row than a held-out row,
    reweighted as if both sets had the same size.

    For rows drawn afresh from the real distribution, the nearest of all the
    real rows is equally likely to be any of them, so the raw share is
    ``n_train / (n_train + n_holdout)``. Rescaling its odds by
    ``n_holdout / n_train`` makes that 0.5 whatever the sizes, while copies of
    training rows stay at 1. (Subsampling the training rows to the held-out
    size instead would dilute copies: most would lose their twin.)
    """
    emb_train, emb_syn, emb_held = _embed(
        train, synthetic, holdout, categorical_features=mask
    )
    d_train = _nearest(emb_syn, emb_train, 1)[0][:, 0]
    d_held = _nearest(emb_syn, emb_held, 1)[0][:, 0]
    share = float(np.mean((d_train < d_held) + 0.5 * (d_train == d_held)))
    if share >= 1.0:
        return 1.0
    odds = share / (1.0 - share) * len(holdout) / len(train)
    return odds / (1.0 + odds)


def _faithfulness(train, y_train, synthetic, y_synthetic, mask, rng) -> dict:
    """Class faithfulness per synthetic class, or {} where it cannot be fitted."""
    counts = pd.Series(y_train).value_counts()
    if len(counts) < 2 or counts.min() < 2:
        return {}
    numeric, categorical = _split_columns(train, mask)
    encoded, _ = _encode_for_trees(train, synthetic, numeric, categorical)
    real, fake = encoded[: len(train)], encoded[len(train) :]
    scorer = ClassFaithfulness(
        cv=3, random_state=int(rng.randint(np.iinfo(np.int32).max))
    ).fit(real, y_train)
    out = {}
    for label in pd.unique(y_synthetic):
        score = scorer.score(fake[y_synthetic == label], label)
        base = scorer.real_[label]
        out[label] = {
            "faithfulness": score,
            "faithfulness_real": base,
            "faithfulness_gap": score - base,
        }
    return out


def warn_quality(report: pd.DataFrame, sampler_name: str) -> None:
    """One :class:`SyntheticQualityWarning` per class whose rows look
    memorised or easy to detect, naming the class and the figure."""
    for label, row in report.iterrows():
        if row["n_holdout"] < _MIN_WARN_ROWS:
            continue
        share, auc = row["dcr_share_closer_to_train"], row["detection_auc"]
        # Rows far from every real row have one or two nearest real rows, and
        # the share is then noise; the detection warning covers them.
        if share >= MEMORISATION_WARNING and auc < DETECTION_WARNING:
            warnings.warn(
                f"{sampler_name}: {share:.0%} of the synthetic rows of class "
                f"{label!r} are closer to a training row than to a held-out row "
                f"(dcr_share_closer_to_train={share:.2f}; 0.5 is ideal): they may "
                "copy training rows.",
                SyntheticQualityWarning,
                stacklevel=_caller_stacklevel(),
            )
        if auc >= DETECTION_WARNING:
            warnings.warn(
                f"{sampler_name}: a classifier tells the synthetic rows of class "
                f"{label!r} from held-out real rows (detection_auc={auc:.2f}; "
                "0.5 is ideal).",
                SyntheticQualityWarning,
                stacklevel=_caller_stacklevel(),
            )


def describe_quality(report: pd.DataFrame, *, html: bool = False) -> str:
    """A short rendering of a quality report: the table and a line per flag.

    Parameters
    ----------
    report : DataFrame
        A sampler's ``quality_report_``.
    html : bool, default=False
        Return HTML (for notebooks and reports) instead of plain text.

    Returns
    -------
    text : str
    """
    flags = []
    for label, row in report.iterrows():
        if row["n_holdout"] < _MIN_WARN_ROWS:
            flags.append(f"class {label!r}: {row['n_holdout']} held-out rows, too few "
                         "to judge memorisation or detection")  # fmt: skip
            continue
        if (
            row["dcr_share_closer_to_train"] >= MEMORISATION_WARNING
            and row["detection_auc"] < DETECTION_WARNING
        ):
            flags.append(f"class {label!r}: rows may copy training rows "
                         f"(dcr_share_closer_to_train="
                         f"{row['dcr_share_closer_to_train']:.2f})")  # fmt: skip
        if row["detection_auc"] >= DETECTION_WARNING:
            flags.append(f"class {label!r}: rows are easy to detect "
                         f"(detection_auc={row['detection_auc']:.2f})")  # fmt: skip
    if not flags:
        flags.append("no class looks memorised or easy to detect")
    if html:
        items = "".join(f"<li>{flag}</li>" for flag in flags)
        return report.to_html(float_format="{:.3f}".format) + f"<ul>{items}</ul>"
    return (
        report.to_string(float_format="{:.3f}".format)
        + "\n"
        + "\n".join(f"- {flag}" for flag in flags)
    )
