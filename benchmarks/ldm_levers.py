"""Which generator levers help downstream F1? Chosen on validation folds only.

Every lever of the utility issue that exists as a parameter is scored on the
hard CICIoT2023 families with ``holdout="validation"``: the training split of
each seed is split again and the scores come from that validation part, so the
test split that ``ids_quality.md`` reports is never seen. Each lever is set on
top of the defaults; the simple alternatives (no oversampling with a CV-tuned
threshold, SMOTE in quantile-normal space) run on the same splits.

Usage::

    python benchmarks/ids_quality.py ...   # the report; this script only chooses
    python benchmarks/ldm_levers.py [--seeds 2] [--jobs 2]
    python benchmarks/ldm_levers.py --from-csv ldm_levers.csv   # report again
    python benchmarks/ldm_levers.py --from-csv a.csv b.csv --out ab.md  # merged
    python benchmarks/ldm_levers.py --holdout test --attacks ... --seeds 3 \
        --levers defaults NEW   # confirm a choice on the test split, after it

``--holdout test`` scores on the test split that ``ids_quality.py`` reports,
to check a setting already chosen on validation folds before it becomes a
default; nothing is chosen from it. Means are over the hard tasks (the best
simple alternative below F1 0.95).

The CSV's first line records the command that ran the benchmark, which
``--from-csv`` puts at the top of the rebuilt report.
"""

from __future__ import annotations

import argparse
import ast
import json
import shlex
import sys
from pathlib import Path

import pandas as pd
import torch
from common import generated_by
from ids_quality import DEFAULT_DATA

from ldm_oversample.benchmark import load_ciciot2023, markdown_table, run_benchmark
from ldm_oversample.benchmark.verdict import HARD as HARD_BELOW
from ldm_oversample.benchmark.verdict import simple_alternatives

HARD = ["Spoofing", "Recon", "WebAttack", "BruteForce", "Malware", "Uploading"]
LEVERS = {
    "defaults": {},
    "spread_ties=False": {"spread_ties": False},
    "candidate_factor=3": {"candidate_factor": 3},
    "guidance w=1 (class dropout 0.1)": {"guidance_scale": 1.0, "cond_dropout": 0.1},
    "noise_temperature=1.0 (the default before this run)": {"noise_temperature": 1.0},
    "noise_temperature=1.2": {"noise_temperature": 1.2},
    "latent_dim=32": {"latent_dim": 32},
    "eta=1 (stochastic DDIM)": {"solver": "ddim", "eta": 1.0},
    "lambda_min_clipped=-5.1 (first step clipped)": {"lambda_min_clipped": -5.1},
    # Speed levers: fewer network calls per row.
    "n_sampling_steps=4": {"n_sampling_steps": 4},
    "distill_steps=1": {"distill_steps": 1},
    "distill_steps=2": {"distill_steps": 2},
    # A lighter VAE decoder (the largest cost of a one-step student's row) and
    # a shorter fit.
    "ae_hidden_dims=(128, 128)": {"ae_hidden_dims": [128, 128]},
    "distill_steps=1, ae_hidden_dims=(128, 128)": {
        "distill_steps": 1,
        "ae_hidden_dims": [128, 128],
    },
    "max_epochs=100 (the default before max_epochs=40)": {"max_epochs": 100},
    "max_epochs=60": {"max_epochs": 60},
    "max_epochs=40": {"max_epochs": 40},
    "max_epochs=30": {"max_epochs": 30},
    "max_epochs=20": {"max_epochs": 20},
    "max_epochs=40, n_sampling_steps=4": {"max_epochs": 40, "n_sampling_steps": 4},
    "max_epochs=60, n_sampling_steps=4": {"max_epochs": 60, "n_sampling_steps": 4},
}


def lever_params(name: str) -> dict:
    """The parameters of a named lever, or of ``"key=value, ..."`` written out.

    Values are Python literals or bare words (strings); tuples become lists,
    as JSON keeps them.
    """
    if name in LEVERS:
        return LEVERS[name]
    call = ast.parse(f"f({name})", mode="eval").body
    if not isinstance(call, ast.Call) or call.args:
        raise SystemExit(
            f"Unknown lever {name!r}: name one of {list(LEVERS)} "
            "or write key=value pairs."
        )
    params = {
        # A bare word (precision=bf16) is a string.
        kw.arg: kw.value.id
        if isinstance(kw.value, ast.Name)
        else ast.literal_eval(kw.value)
        for kw in call.keywords
    }
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--attacks", nargs="+", default=HARD)
    parser.add_argument("--levers", nargs="+", default=list(LEVERS))
    parser.add_argument(
        "--holdout",
        choices=["validation", "test"],
        default="validation",
        help="validation folds (to choose) or the test split (to confirm)",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    parser.add_argument(
        "--from-csv",
        type=Path,
        nargs="+",
        help="rebuild the report from the CSVs of one or more runs on the same "
        "tasks and seeds (rows both runs made, such as the defaults, are taken "
        "from the first)",
    )
    args = parser.parse_args(argv)
    if args.from_csv is not None:
        commands, parts = [], []
        for path in args.from_csv:
            with open(path) as f:
                first = f.readline()
            commands.append(
                first.removeprefix("# ").strip()
                if first.startswith("# ")
                else f"(not recorded in {path.name})"
            )
            parts.append(pd.read_csv(path, comment="#"))
        command = "\n".join(commands)
        key = ["attack", "ratio", "sampler", "classifier", "seed", "metric", "lever"]
        results = pd.concat(parts, ignore_index=True).drop_duplicates(key)
        if "holdout" in results:
            args.holdout = str(results["holdout"].iloc[0])
        args.levers = list(dict.fromkeys(results["lever"][results["lever"] != "-"]))
        args.seeds = int(results["seed"].nunique())
        args.attacks = list(dict.fromkeys(results["attack"]))
        return report(results, args, command)
    frame = load_ciciot2023(args.data)
    common = dict(
        attacks=args.attacks,
        seeds=args.seeds,
        classifiers=["rf"],
        holdout=args.holdout,
        jobs=args.jobs,
        progress=False,
    )
    baseline = run_benchmark(
        frame, samplers=["none", "smote_normal"], threshold_cv=5, **common
    ).results
    parts = [baseline.assign(lever="-")]
    for lever in args.levers:
        result = run_benchmark(
            frame,
            samplers=["ldm"],
            sampler_params={"ldm": lever_params(lever)},
            threshold_cv=None,
            **common,
        ).results
        parts.append(result.assign(lever=lever))
        print(f"done: {lever}", flush=True)
    results = pd.concat(parts, ignore_index=True).assign(holdout=args.holdout)
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    with open(args.out.with_suffix(".csv"), "w") as f:
        f.write(f"# {command}\n")
        results.to_csv(f, index=False)
    report(results, args, command)


def report(results: pd.DataFrame, args, command: str) -> None:
    """Write the markdown report of a run's results to ``args.out``."""
    f1 = results[results["metric"] == "f1"]
    f1 = f1.assign(
        method=f1["sampler"] + " (" + f1["classifier"] + ")",
    )
    f1.loc[f1["sampler"] == "ldm", "method"] = "ldm: " + f1["lever"]
    table = f1.pivot_table(
        index=["attack", "ratio"], columns="method", values="value", sort=False
    )
    # The verdict's simple alternatives (no oversampling is never among them).
    simple = [f"{s} ({c})" for s, c in simple_alternatives("rf")]
    table["best simple"] = table[[c for c in simple if c in table]].max(axis=1)
    hard = table[table["best simple"] < HARD_BELOW]
    summary = pd.DataFrame(
        {
            "mean F1 (hard tasks)": hard.mean(),
            "mean gap to best simple": hard.sub(hard["best simple"], axis=0).mean(),
            "worst gap": hard.sub(hard["best simple"], axis=0).min(),
        }
    ).reset_index(names="method")
    generated = results[(results["classifier"] == "-") & (results["sampler"] == "ldm")]
    extra = generated.pivot_table(
        index="lever",
        columns="metric",
        values="value",
        aggfunc="mean",
    )[["class_faithfulness", "class_faithfulness_real", "zero_rate_gap",
       "detection_auc", "fit_resample_s"]].reset_index()  # fmt: skip
    ldm = f1[f1["sampler"] == "ldm"].pivot_table(
        index=["attack", "ratio", "seed"], columns="lever", values="value"
    )
    ldm = ldm[ldm.index.droplevel("seed").isin(hard.index)]
    paired = []
    if "defaults" in ldm:
        for lever in (c for c in ldm if c != "defaults"):
            gap = (ldm[lever] - ldm["defaults"]).dropna()
            paired.append(
                {
                    "lever": lever,
                    "mean F1 change": gap.mean(),
                    "sd": gap.std(),
                    "better": int((gap > 0).sum()),
                    "worse": int((gap < 0).sum()),
                    "worst": gap.min(),
                }
            )
    if args.holdout == "test":
        title = "LDM settings on the test split (RandomForest-200, attack F1)"
        where = (
            'Scored on the test split (`holdout="test"`), to confirm settings '
            "chosen on validation folds; nothing is chosen from this run."
        )
    else:
        title = "LDM levers on validation folds (RandomForest-200, attack F1)"
        where = (
            'Scored on a validation part of each training split (`holdout="'
            'validation"`); the test split is never used.'
        )
    lines = [
        *generated_by(title, command),
        f"torch {torch.__version__}; seeds 0..{args.seeds - 1}; families "
        f"{', '.join(args.attacks)} at ratios 0.02 and 0.1. {where} Hard tasks: "
        f"the best simple alternative below F1 {HARD_BELOW} ({len(hard)} of "
        f"{len(table)}). LDM rows at the threshold 0.5; the simple alternatives "
        "include no oversampling with a 5-fold CV-tuned threshold. `defaults` are the "
        "package defaults of the version that made the run: `max_epochs=100` "
        "before 2026-12-06; `ae_hidden_dims=(256, 256)`, fp32 on the CPU and no "
        "student (`distill_steps=None`) before 2026-12-07. Levers: "
        + "; ".join(f"`{k}` = `{json.dumps(lever_params(k))}`" for k in args.levers)
        + ".",
        "",
        "## Mean over the hard tasks",
        "",
        markdown_table(summary),
        "",
        "## Mean F1 by ratio (hard tasks)",
        "",
        markdown_table(
            hard.groupby(level="ratio").mean().T.reset_index(names="method")
        ),
        "",
        "## Paired against the defaults (per hard task and seed)",
        "",
        markdown_table(pd.DataFrame(paired)) if paired else "(no `defaults` run)",
        "",
        "## Generated rows (means over tasks and seeds)",
        "",
        markdown_table(extra),
        "",
        "## Per task",
        "",
        markdown_table(table.reset_index()),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
