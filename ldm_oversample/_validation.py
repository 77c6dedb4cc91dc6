"""Input checks of the samplers, with messages that name what is wrong.

imbalanced-learn and scikit-learn validate the same inputs, but their errors
name neither the column nor the class at fault; these run first. Kept apart
from :mod:`.base`, as imbalanced-learn keeps its checks in ``utils``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from imblearn.utils import check_target_type
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from .utils import format_label

__all__ = [
    "check_X_y",
    "check_fit_params",
    "check_missing_labels",
    "check_missing_values",
    "check_n_samples",
    "check_positive_dims",
    "check_table_shape",
    "check_unique_columns",
    "resolve_sampling_strategy",
    "restore_containers",
    "warn_few_rows",
]

#: A class with fewer rows than this, when over-sampled by a neural sampler, gets
#: a warning: its synthetic rows can only stay close to those few rows.
_FEW_ROWS = 6


def check_X_y(sampler: Any, X: Any, y: Any) -> tuple[Any, np.ndarray, bool]:
    """Validate the rows and labels given to ``sampler``'s ``fit``.

    Return ``X`` (arrays of strings as object), ``y`` as a 1-D array, and
    whether ``y`` was one-hot (imbalanced-learn's ``binarize_y``). Sets
    ``n_features_in_`` and ``feature_names_in_`` on ``sampler``.
    """
    # Before the target check, whose errors for None labels are a bare
    # comparison TypeError or "unknown label type".
    check_missing_labels(y)
    check_classification_targets(y)
    y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
    # Shapes first, with messages that name X and y (sklearn's do not).
    check_table_shape(X, y)
    if isinstance(X, pd.DataFrame):
        check_unique_columns(X)
        validate_data(sampler, X=X, y=y, reset=True, skip_check_array=True)
    else:
        # Missing values are reported below, by column, for arrays too.
        X, y = validate_data(
            sampler,
            X=X,
            y=y,
            reset=True,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
        )
        if sp.issparse(X) and not sampler._accepts_sparse:
            raise TypeError(
                f"{type(sampler).__name__} does not take sparse input: a generator "
                "fitted to thousands of mostly-zero columns returns degenerate "
                "rows (for a TF-IDF matrix, empty documents). Reduce X to a "
                "dense table first, for example with "
                "sklearn.decomposition.TruncatedSVD(n_components=100) before the "
                "sampler in an imblearn Pipeline, or use SMOTEOverSampler, which "
                "interpolates sparse rows."
            )
        if not sp.issparse(X) and X.dtype.kind in "US":
            X = X.astype(object)
    # Every row, before any subsampling for training.
    check_missing_values(X, sampler.categorical_features)
    return X, y, binarize_y


def check_n_samples(n_samples: Any) -> None:
    """``n_samples`` of ``sample()`` is a non-negative integer (not a bool)."""
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or n_samples < 0
    ):
        raise ValueError(
            f"n_samples must be a non-negative integer; got {n_samples!r}."
        )


def check_positive_dims(dims: Any, name: str) -> tuple[int, ...]:
    """Layer widths as a tuple of positive ints; ``name`` is the parameter."""
    out = tuple(int(h) for h in np.atleast_1d(dims))
    if any(h < 1 for h in out):
        raise ValueError(f"{name} must be positive integers; got {out}.")
    return out


def check_table_shape(X, y) -> None:
    """X is 2-D, non-empty, with one label in ``y`` per row."""
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            shape = np.shape(X)
        except ValueError as exc:  # ragged nested lists
            raise ValueError(
                "X must be a 2-D table of shape (n_samples, n_features), but its "
                "rows have different lengths; give every row the same features."
            ) from exc
    shape = tuple(shape)
    if len(shape) != 2:
        hint = (
            "If it holds a single feature, reshape it with X.reshape(-1, 1) or "
            "pass a one-column DataFrame."
            if len(shape) == 1
            else "Flatten each sample into one row of features first."
        )
        raise ValueError(
            f"X must be 2-D, of shape (n_samples, n_features); got a {len(shape)}-D "
            f"input of shape {shape}. {hint}"
        )
    n_labels = len(y)
    if shape[0] != n_labels:
        raise ValueError(
            f"X and y have inconsistent numbers of rows: X has {shape[0]} rows but "
            f"y has {n_labels} labels. Pass exactly one label in y per row of X."
        )
    # The wording of sklearn's own message, which its estimator checks expect.
    for axis, unit in ((0, "sample"), (1, "feature")):
        if shape[axis] == 0:
            raise ValueError(
                f"X is empty: it has 0 {unit}(s) (shape={shape}) while a minimum "
                f"of 1 is required. Pass at least one {unit} to resample."
            )


def check_missing_labels(y) -> None:
    """Every row of a 1-D ``y`` has a label (no None, NaN or ``pd.NA``)."""
    labels = np.asarray(y, dtype=object) if isinstance(y, pd.Series) else np.asarray(y)
    if labels.ndim != 1 or labels.dtype.kind not in "fcOU":
        return  # integer, bool and string arrays cannot hold a missing label
    missing = np.flatnonzero(pd.isna(labels))
    if len(missing):
        rows = ", ".join(str(i) for i in missing[:5]) + (
            ", ..." if len(missing) > 5 else ""
        )
        raise ValueError(
            f"y has {len(missing)} missing label(s) (None or NaN), at row "
            f"position(s) {rows}. Every row needs a class: drop those rows from X "
            "and y, or give them a label."
        )


def check_unique_columns(X: pd.DataFrame) -> None:
    """Column names of a DataFrame must be unique (columns are found by name)."""
    duplicated = X.columns[X.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"X has duplicate column names {duplicated}; every column needs a "
            "unique name. Rename or drop the duplicates before resampling."
        )


def check_missing_values(X, categorical_features) -> None:
    """No NaN or infinity in numeric columns, no missing value in categorical ones.

    Checked on every row here, since the diffusion samplers may fit their
    encoder on a subsample. Columns that cannot be read as numbers are left to
    the encoder, which says why.
    """
    from .tabular import resolve_categorical_features  # tabular imports utils

    if sp.issparse(X):
        if X.dtype.kind not in "fc":
            return
        coo = X.tocoo()
        numeric_bad = np.unique(coo.col[~np.isfinite(coo.data)]).tolist()
        categorical_bad: list = []
    else:
        mask = resolve_categorical_features(X, categorical_features)
        frame = isinstance(X, pd.DataFrame)
        names = list(X.columns) if frame else list(range(X.shape[1]))
        numeric_bad, categorical_bad = [], []
        for j, name in enumerate(names):
            column = X.iloc[:, j] if frame else X[:, j]
            if pd.api.types.is_datetime64_any_dtype(column.dtype):
                continue  # the encoder rejects datetimes, with its own message
            missing = bool(pd.isna(column).any())
            if mask[j]:
                if missing:
                    categorical_bad.append(name)
                continue
            if not missing:
                try:
                    values = np.asarray(column, dtype=np.float64)
                except (TypeError, ValueError):
                    continue
                missing = not np.isfinite(values).all()
            if missing:
                numeric_bad.append(name)
    problems = []
    if numeric_bad:
        problems.append(
            f"Numeric columns {numeric_bad} contain NaN or infinite values; impute "
            "or drop them before resampling."
        )
    if categorical_bad:
        problems.append(
            f"Categorical columns {categorical_bad} contain missing values (None or "
            "NaN); fill them (for example with a 'missing' category) before "
            "resampling."
        )
    if problems:
        raise ValueError(" ".join(problems))


def resolve_sampling_strategy(sampling_strategy: Any, y: np.ndarray) -> Any:
    """Validate ``sampling_strategy`` against the classes of ``y``; a callable
    is called here, once, and its dict returned in its place.

    imbalanced-learn's ``check_sampling_strategy`` computes the counts from
    the result; the checks here give messages that name the parameter and the
    class at fault, and catch what it lets through (non-integer counts, a
    callable that does not return a dict).

    Returns
    -------
    strategy : str, float or dict
        ``sampling_strategy``, or what the callable returned.
    """
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    if len(labels) < 2:
        raise ValueError(
            f"The target 'y' has only {len(labels)} class "
            f"({', '.join(format_label(k) for k in labels.tolist())}); over-sampling "
            "needs at least 2 classes to balance. Check that y holds the class "
            "labels of every row."
        )
    stats = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    strategy = sampling_strategy
    if callable(strategy):
        strategy = strategy(y)
        if not isinstance(strategy, Mapping):
            raise ValueError(
                "sampling_strategy is a callable, so it must return a dict mapping "
                "classes to their number of rows after resampling; it returned "
                f"{type(strategy).__name__} {strategy!r:.80}."
            )
    if isinstance(strategy, Mapping):
        unknown = [label for label in strategy if label not in stats]
        if unknown:
            raise ValueError(
                "sampling_strategy names classes that are not in y: "
                f"{', '.join(format_label(k) for k in unknown)}. Use only labels "
                f"present in y ({', '.join(format_label(k) for k in stats)})."
            )
        for label, n_rows in strategy.items():
            name = format_label(label)
            if not isinstance(n_rows, Integral) or isinstance(n_rows, bool):
                raise ValueError(
                    f"sampling_strategy[{name}] must be an integer number of rows "
                    f"for class {name}; got {n_rows!r}."
                )
            if n_rows < 0:
                raise ValueError(
                    f"sampling_strategy[{name}]={int(n_rows)} is a negative number "
                    f"of rows; give the number of rows class {name} should have "
                    f"after resampling (at least the {stats[label]} it has)."
                )
            if n_rows < stats[label]:
                raise ValueError(
                    f"sampling_strategy[{name}]={int(n_rows)} asks for fewer rows "
                    f"than the {stats[label]} that class {name} has; an "
                    f"over-sampler only adds rows, so ask for at least "
                    f"{stats[label]}."
                )
    elif isinstance(strategy, Real):
        if len(labels) != 2:
            raise ValueError(
                f"sampling_strategy={strategy!r} is a float, which only works for "
                f"two classes; y has {len(labels)}. Pass a dict of the number of "
                "rows wanted per class instead."
            )
        majority = int(np.argmax(counts))
        n_major = int(counts[majority])
        for label, count in stats.items():
            if label == labels[majority]:
                continue
            target = int(n_major * float(strategy))
            if target <= count:
                raise ValueError(
                    f"sampling_strategy={strategy!r} would give class "
                    f"{format_label(label)} {target} rows ({strategy!r} times the "
                    f"{n_major} of the majority class "
                    f"{format_label(labels[majority])}), no more than the {count} "
                    "it has; an over-sampler only adds rows, so use a ratio of at "
                    f"least {(count + 1) / n_major:.3g}."
                )
    return strategy


def warn_few_rows(sampler, y) -> None:
    """Warn about each class to over-sample that has fewer than ``_FEW_ROWS`` rows.

    The neural samplers generate for such a class anyway; its synthetic rows can
    only stay close to the few real ones.
    """
    strategy = getattr(sampler, "sampling_strategy_", None) or {}
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    for label, count in zip(labels.tolist(), counts.tolist(), strict=True):
        n_new = int(strategy.get(label, 0))
        if n_new > 0 and count < _FEW_ROWS:
            rows = "1 row" if count == 1 else f"{count} rows"
            warnings.warn(
                f"Class {format_label(label)} has only {rows}; "
                f"{type(sampler).__name__} still generates {n_new} rows for it, "
                "but they will stay close to those few rows (a generator cannot "
                f"learn a class's spread from fewer than {_FEW_ROWS} rows). Collect "
                "more rows of this class, or check its synthetic rows before "
                "training on them.",
                UserWarning,
                stacklevel=3,
            )


def check_fit_params(sampler: Any, params: dict[str, Any]) -> None:
    """Refuse the keyword arguments of ``fit_resample`` by name.

    imbalanced-learn passes ``**params`` on to ``_fit_resample``; none is
    used by these samplers yet, and dropping one silently (a ``sample_weight``
    above all) would give a different model than the user asked for.
    """
    name = type(sampler).__name__
    if "sample_weight" in params:
        raise ValueError(
            f"{name}.fit_resample does not support sample_weight yet: the "
            "generator would learn from unweighted rows. Drop it, or repeat rows "
            "in proportion to their weights before resampling."
        )
    if params:
        raise TypeError(
            f"{name}.fit_resample got unexpected keyword argument(s) "
            f"{', '.join(map(repr, sorted(params)))}; it takes only X and y."
        )


def restore_containers(X_in: Any, y_in: Any, X_out: Any, y_out: Any) -> tuple[Any, Any]:
    """Give ``y_out`` (and a list ``X_out``) the container of the input.

    A Series ``y`` comes back a Series of its name and dtype, indexed like a
    DataFrame ``X_out``; list inputs come back as lists; as imbalanced-learn's
    samplers return them.
    """
    if isinstance(X_in, list):
        X_out = X_out.tolist() if hasattr(X_out, "tolist") else X_out
    if isinstance(y_in, pd.Series):
        y_out = pd.Series(y_out, dtype=y_in.dtype, name=y_in.name)
    elif isinstance(y_in, pd.DataFrame):
        y_out = pd.DataFrame(y_out, columns=y_in.columns).astype(y_in.dtypes)
    elif isinstance(y_in, list):
        y_out = y_out.tolist()
    if isinstance(X_out, pd.DataFrame) and isinstance(y_out, pd.Series | pd.DataFrame):
        y_out.index = X_out.index
    return X_out, y_out
