"""Mean and spread over seeds of one metric, the basis of the report's tables."""

from __future__ import annotations

import pandas as pd

__all__ = ["summary_table"]


def summary_table(
    results: pd.DataFrame, metric: str, classifier: str = "-"
) -> pd.DataFrame:
    """Mean and std over seeds of one metric, per task and sampler.

    Parameters
    ----------
    results : DataFrame
        The tidy results of :func:`~ldm_oversample.benchmark.run_benchmark`.
    metric : str
        Metric name (``"f1"``, ``"fit_resample_s"``, ...).
    classifier : str, default="-"
        Classifier of the rows (``"-"`` for the generator's own metrics).

    Returns
    -------
    table : DataFrame
        Index ``(attack, ratio, sampler)``, columns ``mean``, ``std``, ``n``.
    """
    part = results[
        (results["metric"] == metric) & (results["classifier"] == classifier)
    ]
    grouped = part.groupby(["attack", "ratio", "sampler"], sort=False)["value"]
    return grouped.agg(["mean", "std", "count"]).rename(columns={"count": "n"})
