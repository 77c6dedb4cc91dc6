"""The plots of the benchmark report (matplotlib, the ``bench`` extra).

F1 per sampler, and per task of the first seed: marginals of the most
important features, the difference of the Spearman correlations and a PCA
of real against synthetic attack rows; the time of each sampler.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .protocol import BenchmarkResult
from .summary import summary_table

__all__ = ["plot_sections"]


def _slug(*parts) -> str:
    text = "_".join(str(p) for p in parts)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)


def plot_sections(
    result: BenchmarkResult, out: Path, samplers, classifiers, prefix: str
) -> list[str]:
    """Draw every plot of a report into ``out``; return its Markdown lines
    (image links relative to the report, through ``prefix``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        warnings.warn(
            "matplotlib is not installed (pip install 'ldm-oversample[bench]'); "
            "the report has no plots.",
            UserWarning,
            stacklevel=3,
        )
        return ["Plots skipped: matplotlib is not installed."]
    lines = ["## Plots", ""]
    with plt.rc_context({"figure.dpi": 110, "font.size": 8}):
        if classifiers:
            _f1_plot(plt, result.results, classifiers, samplers, out / "f1.png")
            lines += [f"![F1 per sampler]({prefix}f1.png)", ""]
        for (attack, ratio), example in result.examples.items():
            generated = {k: v for k, v in example.items() if k not in ("real", "train")}
            if not generated:
                continue
            slug = _slug(attack, ratio)
            top = list(result.importances[(attack, ratio)].index[:4])
            _marginal_plot(plt, example["real"], generated, top, out, slug)
            _corr_plot(plt, example["real"], generated, out, slug)
            _pca_plot(plt, example, generated, out, slug)
            lines += [
                f"### {attack} @ {ratio:g} (seed 0)",
                "",
                f"![marginals]({prefix}marginals_{slug}.png)",
                f"![correlation difference]({prefix}corr_{slug}.png)",
                f"![PCA]({prefix}pca_{slug}.png)",
                "",
            ]
        if _time_plot(plt, result.results, samplers, out / "time.png"):
            lines += [f"![time]({prefix}time.png)", ""]
    return lines


def _f1_plot(plt, results, classifiers, samplers, path):
    table = summary_table(results, "f1", classifiers[0])
    tasks = list(dict.fromkeys((a, r) for a, r, _ in table.index))
    fig, axes = plt.subplots(
        len(classifiers),
        len(tasks),
        figsize=(2.6 * len(tasks), 2.4 * len(classifiers)),
        squeeze=False,
        sharey=True,
    )
    for i, clf in enumerate(classifiers):
        table = summary_table(results, "f1", clf)
        for j, (attack, ratio) in enumerate(tasks):
            ax = axes[i, j]
            part = table.loc[(attack, ratio)].reindex(samplers)
            ax.bar(
                range(len(samplers)),
                part["mean"],
                yerr=part["std"].fillna(0),
                color="tab:blue",
                capsize=2,
            )
            ax.set_xticks(range(len(samplers)), samplers, rotation=60)
            ax.set_title(f"{attack} @ {ratio:g} ({clf})")
            ax.set_ylim(0, 1.02)
        axes[i, 0].set_ylabel("attack F1")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _heavy_tailed(values: np.ndarray) -> bool:
    """Non-negative with a long right tail: linear bins would crush the bulk."""
    # Flags and small counters (few values) read best on their own axis.
    if len(values) == 0 or values.min() < 0 or len(np.unique(values)) <= 10:
        return False
    median, top = np.quantile(values, [0.5, 0.99])
    return bool(top > 20 * max(median, 1e-12))


def _marginal_plot(plt, real, generated, features, out, slug):
    fig, axes = plt.subplots(1, len(features), figsize=(3 * len(features), 2.8))
    axes = np.atleast_1d(axes)
    for ax, feature in zip(axes, features, strict=True):
        values = real[feature].to_numpy(float)
        # Heavy-tailed counters and rates are drawn on log10(x + c), with c
        # the smallest positive real value, so zeros stay visible at any scale.
        log = _heavy_tailed(values)
        positive = values[values > 0]
        offset = float(positive.min()) if log and len(positive) else 1.0

        def shown(v, log=log, offset=offset):
            return np.log10(np.clip(v, 0, None) + offset) if log else v

        lo, hi = np.quantile(shown(values), [0.01, 0.99])
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        bins = np.linspace(lo, hi, 30)
        ax.hist(
            shown(values),
            bins=bins,
            density=True,
            color="0.75",
            label="real (held out)",
        )
        for name, rows in generated.items():
            ax.hist(
                np.clip(shown(rows[feature].to_numpy(float)), lo, hi),
                bins=bins,
                density=True,
                histtype="step",
                label=name,
            )
        ax.set_title(feature)
        ax.set_xlabel(f"log10({feature} + {offset:.3g})" if log else feature)
    axes[0].set_ylabel("density")
    axes[0].legend(fontsize=6)
    fig.suptitle(
        "Real vs synthetic attack rows, the 4 most important features "
        "(1st-99th percentile of the real rows)"
    )
    fig.tight_layout()
    fig.savefig(out / f"marginals_{slug}.png")
    plt.close(fig)


def _spearman(frame: pd.DataFrame) -> pd.DataFrame:
    numeric = frame.select_dtypes("number")
    return numeric.corr(method="spearman").fillna(0.0)


def _corr_plot(plt, real, generated, out, slug):
    reference = _spearman(real)
    names = list(reference.columns)
    fig, axes = plt.subplots(
        1,
        len(generated),
        figsize=(4.2 * len(generated) + 1, 4.4),
        squeeze=False,
        layout="constrained",
    )
    for i, (ax, (name, rows)) in enumerate(
        zip(axes[0], generated.items(), strict=True)
    ):
        diff = (_spearman(rows).reindex_like(reference).fillna(0) - reference).abs()
        image = ax.imshow(diff.to_numpy(), vmin=0, vmax=1, cmap="magma")
        ax.set_title(f"{name}: mean {diff.to_numpy().mean():.3f}")
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=3.5)
        ax.set_yticks(range(len(names)), names if i == 0 else [], fontsize=3.5)
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.7, label="|difference|")
    fig.suptitle(
        "|Spearman(real) - Spearman(synthetic)| per pair of numeric features "
        "(0: same dependency; black rows: constant columns)"
    )
    fig.savefig(out / f"corr_{slug}.png")
    plt.close(fig)


def _pca_plot(plt, example, generated, out, slug):
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import QuantileTransformer

    real = example["real"].select_dtypes("number")
    basis = pd.concat([example["train"].select_dtypes("number"), real])
    qt = QuantileTransformer(
        output_distribution="normal", n_quantiles=min(1000, len(basis))
    ).fit(basis)
    pca = PCA(2).fit(qt.transform(basis))
    real_2d = pca.transform(qt.transform(real))
    share = pca.explained_variance_ratio_
    fig, axes = plt.subplots(
        1, len(generated), figsize=(3.4 * len(generated), 3.4), squeeze=False
    )
    for ax, (name, rows) in zip(axes[0], generated.items(), strict=True):
        points = pca.transform(qt.transform(rows[real.columns]))
        ax.scatter(*real_2d.T, s=4, c="0.6", label="real (held out)")
        ax.scatter(*points.T, s=4, alpha=0.5, c="tab:red", label=name)
        ax.set_title(name)
        ax.set_xlabel(f"PC1 ({share[0]:.0%} of variance)")
    axes[0, 0].set_ylabel(f"PC2 ({share[1]:.0%} of variance)")
    axes[0, 0].legend(fontsize=6, markerscale=2)
    fig.suptitle(
        "PCA of the quantile-normal features\n(fitted on the real attack rows, "
        "training and held out)"
    )
    fig.tight_layout()
    fig.savefig(out / f"pca_{slug}.png")
    plt.close(fig)


def _time_plot(plt, results, samplers, path) -> bool:
    part = results[results["metric"].isin(["fit_resample_s", "sample_s"])]
    if part.empty:
        return False
    means = part.pivot_table(
        index="sampler", columns="metric", values="value", aggfunc="mean"
    ).reindex([s for s in samplers if s in set(part["sampler"])])
    fig, ax = plt.subplots(figsize=(5, 2.8))
    x = np.arange(len(means))
    for k, metric in enumerate(["fit_resample_s", "sample_s"]):
        if metric in means:
            ax.bar(x + 0.4 * k - 0.2, means[metric], width=0.4, label=metric)
    ax.set_xticks(x, means.index)
    ax.set_yscale("log")
    ax.set_ylabel("seconds (mean over runs)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True
