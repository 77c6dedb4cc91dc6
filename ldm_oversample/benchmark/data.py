"""Load CICIoT2023 CSV files from disk (nothing is downloaded).

Two layouts of the CICIoT2023 release are understood:

``"original46"``
    The original ``part-*.csv`` files: 46 features (:data:`CICIOT2023_FEATURES_46`)
    and a ``label`` column with fine labels such as ``"DDoS-ICMP_Flood"``.
``"merged39"``
    The later "merged CSV" release: 39 features (:data:`CICIOT2023_FEATURES_39`),
    with ``Time_To_Live`` and ``IGMP``, and a ``Label`` column (fine labels, often
    upper case), or ``label_multiclass`` with family labels as in the shared
    developers' sample.
"""

from __future__ import annotations

import glob
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .labels import _map_labels, label_family

#: Exact decimal-to-float parsing. Before pandas 3 the C parser's default is
#: off by up to one ulp (values would not round-trip); pandas 3 parses exactly
#: by default and deprecates the option.
_EXACT_FLOATS: dict[str, Any] = (
    {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
)

__all__ = [
    "CICIOT2023_FEATURES_39",
    "CICIOT2023_FEATURES_46",
    "label_family",
    "load_ciciot2023",
]

#: The 46 features of the original ``part-*.csv`` files, in their canonical order.
CICIOT2023_FEATURES_46: tuple[str, ...] = (
    "flow_duration",
    "Header_Length",
    "Protocol Type",
    "Duration",
    "Rate",
    "Srate",
    "Drate",
    "fin_flag_number",
    "syn_flag_number",
    "rst_flag_number",
    "psh_flag_number",
    "ack_flag_number",
    "ece_flag_number",
    "cwr_flag_number",
    "ack_count",
    "syn_count",
    "fin_count",
    "urg_count",
    "rst_count",
    "HTTP",
    "HTTPS",
    "DNS",
    "Telnet",
    "SMTP",
    "SSH",
    "IRC",
    "TCP",
    "UDP",
    "DHCP",
    "ARP",
    "ICMP",
    "IPv",
    "LLC",
    "Tot sum",
    "Min",
    "Max",
    "AVG",
    "Std",
    "Tot size",
    "IAT",
    "Number",
    "Magnitue",
    "Radius",
    "Covariance",
    "Variance",
    "Weight",
)

#: The 39 features of the merged-CSV release, in their canonical order.
CICIOT2023_FEATURES_39: tuple[str, ...] = (
    "Header_Length",
    "Protocol Type",
    "Time_To_Live",
    "Rate",
    "fin_flag_number",
    "syn_flag_number",
    "rst_flag_number",
    "psh_flag_number",
    "ack_flag_number",
    "ece_flag_number",
    "cwr_flag_number",
    "ack_count",
    "syn_count",
    "fin_count",
    "rst_count",
    "HTTP",
    "HTTPS",
    "DNS",
    "Telnet",
    "SMTP",
    "SSH",
    "IRC",
    "TCP",
    "UDP",
    "DHCP",
    "ARP",
    "ICMP",
    "IGMP",
    "IPv",
    "LLC",
    "Tot sum",
    "Min",
    "Max",
    "AVG",
    "Std",
    "Tot size",
    "IAT",
    "Number",
    "Variance",
)

_LAYOUTS: dict[str, tuple[str, ...]] = {
    "merged39": CICIOT2023_FEATURES_39,
    "original46": CICIOT2023_FEATURES_46,
}

#: Accepted label columns, most specific first.
_LABEL_COLUMNS: tuple[str, ...] = ("label", "Label", "label_multiclass")


def _resolve_paths(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[Path]:
    """Expand files, directories and glob patterns to an ordered list of files."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise ValueError(
            "paths is empty: give a CICIoT2023 CSV file, directory or glob"
        )
    files: list[Path] = []
    seen: set[Path] = set()
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(
                f"paths must be str or path-like (or a list of them), got {item!r}"
            )
        path = Path(item)
        if path.is_dir():
            found = sorted(
                {*path.glob("*.csv"), *path.glob("*.csv.gz")}, key=lambda p: p.name
            )
        elif path.is_file():
            found = [path]
        elif glob.has_magic(os.fspath(item)):
            found = [
                Path(match)
                for match in sorted(glob.glob(os.fspath(item), recursive=True))
                if Path(match).is_file()
            ]
        else:
            found = []
        if not found:
            raise FileNotFoundError(
                f"no CICIoT2023 CSV files match {os.fspath(item)!r}"
            )
        for file in found:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    return files


def _detect_layout(path: Path, columns: Sequence[str]) -> tuple[str, str]:
    """Return the layout name and the label column of a file, or raise ValueError."""
    present = set(columns)
    missing = {
        name: [c for c in features if c not in present]
        for name, features in _LAYOUTS.items()
    }
    complete = [name for name, gone in missing.items() if not gone]
    if len(complete) > 1:
        raise ValueError(
            f"{os.fspath(path)!r} has the columns of both CICIoT2023 layouts "
            f"({', '.join(complete)}); cannot tell which one it is"
        )
    if not complete:
        # Closest by Jaccard similarity of the column sets (the 39 features are
        # nearly a subset of the 46, so counting missing columns alone misleads).
        others = present.difference(_LABEL_COLUMNS)

        def similarity(name: str) -> float:
            features = set(_LAYOUTS[name])
            return len(features & others) / len(features | others)

        closest = max(_LAYOUTS, key=similarity)
        gone = missing[closest]
        shown = ", ".join(repr(c) for c in gone[:8])
        more = f" and {len(gone) - 8} more" if len(gone) > 8 else ""
        raise ValueError(
            f"{os.fspath(path)!r} matches no CICIoT2023 layout; closest is "
            f"{closest!r} ({len(_LAYOUTS[closest])} features), missing {len(gone)} "
            f"column(s): {shown}{more}"
        )
    label = next((c for c in _LABEL_COLUMNS if c in present), None)
    if label is None:
        raise ValueError(
            f"{os.fspath(path)!r} has no label column; expected one of "
            f"{', '.join(repr(c) for c in _LABEL_COLUMNS)}"
        )
    return complete[0], label


def _read_header(path: Path) -> list[str]:
    try:
        header = pd.read_csv(path, nrows=0)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"cannot read the header of {os.fspath(path)!r}: {exc}"
        ) from exc
    return list(header.columns)


def load_ciciot2023(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Read CICIoT2023 CSV files into one DataFrame with family and fine labels.

    Both layouts of the release are understood, detected from the header of
    each file: the 39-feature merged CSVs (``"merged39"``, with
    ``Time_To_Live`` and ``IGMP``, like the shared sample) and the original
    46-feature ``part-*.csv`` files (``"original46"``). All files of one call
    must have the same layout. Nothing is downloaded.

    The label is read from the first of ``label``, ``Label`` and
    ``label_multiclass`` that a file has. Fine labels are mapped to families
    with :func:`label_family` (see its table: for example ``MITM-ArpSpoofing``
    and ``DNS_Spoofing`` are ``"Spoofing"``, ``VulnerabilityScan`` is
    ``"Recon"``, ``XSS`` is ``"WebAttack"``). Labels are matched ignoring case
    and ``-``/``_``, so ``"DDOS-ICMP_FLOOD"`` and ``"Benign_Final"`` work.
    Family names (as in ``label_multiclass``) are accepted as they are.

    Parameters
    ----------
    paths : str, path-like, or list of them
        Each entry is a CSV file (``.csv`` or ``.csv.gz``; the compression is
        inferred from the name), a directory (all ``*.csv`` and ``*.csv.gz``
        files in it, not recursive, sorted by name) or a glob pattern
        (``"data/part-*.csv.gz"``, sorted; ``**`` recurses). Files are read in
        that order; a file named twice is read once.
    max_rows : int or None, default=None
        Stop reading after this many rows (counted before non-finite rows are
        dropped), reading the files in order. For quick looks at large
        directories. ``None`` reads everything.

    Returns
    -------
    frame : DataFrame
        One row per flow window, with a fresh ``RangeIndex``:

        - the features of the detected layout, in its canonical order
          (:data:`CICIOT2023_FEATURES_39` or :data:`CICIOT2023_FEATURES_46`),
          all ``float64``;
        - ``label_family``: the attack family (string), one of ``"Benign"``,
          ``"DDoS"``, ``"DoS"``, ``"Mirai"``, ``"Recon"``, ``"Spoofing"``,
          ``"WebAttack"``, ``"BruteForce"``, ``"Malware"``, ``"Uploading"``;
        - ``label_fine``: the fine label (string) in the original release's
          spelling (``"DDOS-ICMP_FLOOD"`` becomes ``"DDoS-ICMP_Flood"``,
          ``"Benign_Final"`` becomes ``"BenignTraffic"``). Where a file gives
          only a family name (the shared sample), it is the family name.

        ``frame.attrs["layout"]`` is ``"merged39"`` or ``"original46"``.
        Other columns (``label_binary``, a second label column, ...) are
        dropped.

    Raises
    ------
    FileNotFoundError
        If an entry of ``paths`` matches no file.
    ValueError
        If a file matches neither layout (the message names the closest layout
        and its missing columns), has no label column, has empty or unknown
        labels or non-numeric features, or if the files mix layouts.

    Warns
    -----
    UserWarning
        When rows with NaN or infinite feature values are dropped (some parts
        of CICIoT2023 have a few, e.g. an infinite ``Rate``); the warning gives
        the count.

    Examples
    --------
    >>> frame = load_ciciot2023("../shared/data/ciciot2023_sample.csv.gz")
    ... # doctest: +SKIP
    >>> frame.attrs["layout"], frame.shape  # doctest: +SKIP
    ('merged39', (15404, 41))
    """
    if max_rows is not None:
        if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)):
            raise TypeError(f"max_rows must be an int or None, got {max_rows!r}")
        if max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {max_rows}")

    files = _resolve_paths(paths)
    plans: list[tuple[Path, str]] = []
    layout: str | None = None
    first: Path | None = None
    for path in files:
        file_layout, label_column = _detect_layout(path, _read_header(path))
        if layout is None:
            layout, first = file_layout, path
        elif file_layout != layout:
            assert first is not None  # set together with layout
            raise ValueError(
                f"files mix CICIoT2023 layouts: {os.fspath(first)!r} is {layout!r} "
                f"but {os.fspath(path)!r} is {file_layout!r}; load them separately"
            )
        plans.append((path, label_column))
    assert layout is not None
    features = list(_LAYOUTS[layout])

    parts: list[pd.DataFrame] = []
    remaining = max_rows
    for path, label_column in plans:
        if remaining is not None and remaining <= 0:
            break
        try:
            part = pd.read_csv(
                path,
                usecols=[*features, label_column],
                dtype={**dict.fromkeys(features, np.float64), label_column: object},
                nrows=remaining,
                **_EXACT_FLOATS,
            )
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read {os.fspath(path)!r}: {exc}") from exc
        n_empty = int(part[label_column].isna().sum())
        if n_empty:
            raise ValueError(
                f"{os.fspath(path)!r} has {n_empty} row(s) with an empty "
                f"{label_column!r}"
            )
        try:
            mapped = _map_labels(part[label_column])
        except ValueError as exc:
            raise ValueError(f"{os.fspath(path)!r}: {exc}") from None
        parts.append(
            part[features].assign(label_family=mapped[:, 0], label_fine=mapped[:, 1])
        )
        if remaining is not None:
            remaining -= len(part)

    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    finite = np.isfinite(frame[features].to_numpy()).all(axis=1)
    n_dropped = int((~finite).sum())
    if n_dropped:
        warnings.warn(
            f"dropped {n_dropped} of {len(frame)} CICIoT2023 row(s) with NaN or "
            "infinite feature values",
            UserWarning,
            stacklevel=2,
        )
        frame = frame.loc[finite]
    frame = frame.reset_index(drop=True)
    frame = frame.astype({"label_family": str, "label_fine": str})
    frame.attrs["layout"] = layout
    return frame
