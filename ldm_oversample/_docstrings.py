"""Numpydoc fragments of the parameters every sampler shares, and the
function that puts them into each sampler's docstring at import time."""

from __future__ import annotations

from typing import Any

from imblearn.over_sampling.base import BaseOverSampler

__all__ = ["COMMON_PARAMETERS_DOC", "fill_doc"]

#: Numpydoc fragments for the parameters every sampler shares.
COMMON_PARAMETERS_DOC = {
    "sampling_strategy": BaseOverSampler._sampling_strategy_docstring,
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seed of every random choice (weight initialisation, batches, noise). An
        integer gives identical output on the CPU on every call; the global NumPy
        and torch random states are never modified.""",
    "categorical_features": """categorical_features : "auto", None or array-like, \
default="auto"
        Which columns are categorical. ``"auto"`` takes DataFrame columns of
        ``category``, ``object``, ``string`` and ``bool`` dtype (and non-numeric
        columns of an object array). Also accepts a boolean mask, integer indices,
        or column names. Other columns are numeric.""",
    "identifier_features": """identifier_features : {"warn", "raise", "drop", \
"keep"}, default="warn"
        What to do with categorical columns that look like identifiers (IP or
        MAC addresses, or mostly-unique values; see
        :func:`ldm_oversample.identifiers.find_identifier_columns`). A
        generator copies such values into its new rows, which leaks real hosts
        into training data. ``"warn"`` emits an
        :class:`~ldm_oversample.identifiers.IdentifierColumnWarning` naming the
        columns; ``"raise"`` refuses them with a ``ValueError``; ``"drop"``
        leaves them out of the generator, and the new rows hold a missing value
        in those columns (the original rows keep theirs); ``"keep"`` models
        them like any other column, silently.""",
    "discrete_features": """discrete_features : "auto", None or array-like, \
default="auto"
        Numeric columns whose new values are snapped to the nearest value seen
        in ``fit``, so flags stay 0/1 and codes such as IP protocol numbers
        (0, 6, 17, 47) come back as real codes. ``"auto"`` takes the numeric
        columns with at most 32 distinct values, and rounds the other
        integer-valued ones; ``None`` decodes every numeric column
        continuously; names, positions or a boolean mask choose the columns.""",
    "spread_ties": """spread_ties : bool, default=True
        Spread each value that many rows share (the zeros of a mostly-zero
        counter, the levels of a flag) over the normal quantiles its rows
        occupy before generation, rather than mapping it to one point (for the
        column's minimum, the extreme -5.2); decoding maps the whole interval
        back to the value. The share of zeros and of each level is then
        learned like any other part of the distribution. See
        :class:`~ldm_oversample.TabularEncoder`.""",
    "quantile_balance": """quantile_balance : float in [0, 1], \
default={quantile_balance}
        How far the numeric columns' quantile transform (and so the intervals
        of ``spread_ties``) moves from the pooled rows towards the mean of the
        classes' CDFs, in which every class weighs the same: class ``c`` of
        ``n_c`` rows weighs ``n_c ** (1 - quantile_balance)``, as batches do
        with ``class_balance``. At 1, a value typical of a scarce class gets
        the share of the normal scale it has within that class, rather than
        its small share of the whole table, and is not squeezed into a narrow
        band beside the majority's values (which the autoencoder's
        reconstructions blur into the majority's). See
        :class:`~ldm_oversample.TabularEncoder`.""",
    "candidate_factor": """candidate_factor : int, default=1
        Over-generation: draw ``candidate_factor`` times the rows asked for
        and keep those that a small classifier, trained on the real rows with
        class-balanced batches, rates most typical of the class they were
        generated for. Row counts stay exact. 1 turns it off (and trains no
        classifier).""",
    "max_epochs": """max_epochs : int, default={max_epochs}
        Maximum number of passes over the training rows, per model.""",
    "max_steps": """max_steps : int or None, default={max_steps}
        Cap on the optimiser steps of each network: training stops after
        ``max_epochs`` passes or ``max_steps`` steps, whichever comes first, so
        that large tables (many steps per pass) train in bounded time. None
        removes the cap.""",
    "batch_size": """batch_size : int, default={batch_size}
        Training mini-batch size.""",
    "device": """device : "auto", str or torch.device, default="auto"
        Where to train and sample. ``"auto"`` uses CUDA when available, else the
        CPU. Outputs always come back as CPU arrays or DataFrames.""",
    "precision": """precision : {"auto", "fp32", "tf32", "bf16"}, default="auto"
        Arithmetic of the denoiser while generating (training is always fp32).
        ``"auto"`` is bf16 autocast where the device has bf16 instructions (CUDA,
        or a CPU with AVX512-BF16 or AMX) and fp32 elsewhere; ``"tf32"`` allows
        TF32 matmuls on CUDA (fp32 elsewhere). On 2 AVX512-BF16 CPU cores bf16
        sampled the LDM's rows 1.4x faster, and moved F1 on validation folds of
        six hard CICIoT2023 families by -0.001 (``benchmarks/ldm_fast_defaults.md``).
        Set ``"fp32"`` for rows that are the same on every machine. Read at
        sampling time, so it can be changed on a fitted sampler.""",
    "distill_steps": """distill_steps : int, "auto" or None, default="auto"
        ``fit`` ends by distilling the denoiser into a student that generates
        in this many deterministic DDIM steps (network calls), trained to
        reproduce the rows the teacher makes at the fit's sampling parameters
        (``solver``, ``n_sampling_steps``, ``eta``, ``noise_temperature``,
        ``guidance_scale``, ``lambda_min_clipped``); see
        :mod:`ldm_oversample.diffusion.distill`. ``"auto"`` distils one step
        when the teacher is deterministic (``eta=0``) and samples with the
        student while those parameters keep their fitted values; set one of
        them on the fitted sampler (as :class:`~ldm_oversample.SamplingSearchCV`
        does) and the teacher samples at the new value. An integer samples with
        the student whatever they are; None distils nothing and samples with
        the teacher (``set_params(distill_steps=None)`` also switches a fitted
        sampler back to it). On validation folds of six hard CICIoT2023
        families the one-step student scored within the seed noise of its
        teacher (-0.004 F1, 9 of 24 task-seeds better) and of the earlier
        defaults (-0.000, 11 of 24; ``benchmarks/ldm_fast_defaults.md``), and
        sampled Spoofing 10% rows 3.5x faster than its teacher on 2 CPU cores,
        for about 1 s more of fit (``benchmarks/speed_round_two.md``).""",
    "autoencoder": """autoencoder : {"mlp", "transformer"}, default="mlp"
        The β-VAE that maps encoded rows to the latent: an MLP
        (:class:`~ldm_oversample.nn.TabularVAE`), or TabSyn's design of one
        4-wide token per column mixed by Transformer layers, with the
        flattened tokens mapped to ``latent_dim``
        (:class:`~ldm_oversample.nn.TokenTransformerVAE`). Both train on the
        same loss; the MLP is the default (``benchmarks/ldm_autoencoder.md``).
    ae_hidden_dims : tuple of int, default=(128, 128)
        For the MLP, the hidden widths of its encoder (mirrored in the
        decoder); (128, 128) scored +0.006 F1 over (256, 256) on validation
        folds of six hard CICIoT2023 families, and decodes in a quarter of
        the arithmetic. For the Transformer, one layer per entry in the
        encoder and in the decoder, of that feed-forward width (TabSyn: two
        of 128).
    ae_max_epochs : int or None, default=None
        Maximum epochs of the autoencoder's training, which can differ from
        the diffusion's; None uses ``max_epochs``.""",
    "strength": """strength : float in (0, 1], default=1.0
        Share of the reverse process that generation runs. 1 starts from pure
        noise. Below 1, each new row starts from the latent of a real training
        row of its class (drawn with replacement), noised to timestep
        ``round(strength * (T - 1))``, and is denoised from there (SDEdit;
        over-sampling from noised minority rows as in SOS), so rows stay closer
        to the class's real rows: between SMOTE-like edits (small values) and
        free generation (1). Below 1 the teacher samples (a student learnt the
        map from pure noise only), and the fitted sampler keeps the training
        latents (``class_latents_``). Read at sampling time. Off by default: on
        validation folds of six hard CICIoT2023 families, 0.7 / 0.5 / 0.3
        changed the mean F1 by -0.005 / -0.008 / -0.049 while raising class
        faithfulness from 0.596 to 0.614 / 0.632 / 0.655
        (``benchmarks/ldm_strength.md``). With ``guidance_scale=1.5,
        cond_dropout=0.1`` at ``quantile_balance=1``, 0.7 was F1-neutral there
        (+0.000) and raised class faithfulness from 0.617 to 0.666, real rows
        0.714 (``benchmarks/ldm_guidance_strength_4seeds.md``; on the test
        split ``benchmarks/ldm_faithful_recipe.md``).""",
    "verbose": """verbose : bool or "auto", default="auto"
        Show tqdm progress bars for training and sampling. ``"auto"`` shows them
        where a person is watching (a terminal or a Jupyter notebook) and stays
        silent under pytest, in CI and when output goes to a file or pipe;
        ``True`` always shows them, ``False`` never does.""",
    "quality_report": """quality_report : bool or float, default=False
        Leave ``quality_report_`` after ``fit_resample``: per over-sampled class,
        the fidelity, coverage, memorisation (DCR share), detection and
        class-faithfulness figures of its new rows
        (:func:`ldm_oversample.quality.quality_report`). They compare with real
        rows the generator never saw: a share of each class's rows (0.2 for
        ``True``, else this float) is held out of the generator's fit; the
        returned table still holds every original row. A
        :class:`~ldm_oversample.quality.SyntheticQualityWarning` names a class
        whose rows look memorised or easy to detect. Off by default: the
        generator then fits on every row, and no time goes to the figures.""",
    # Fitted attributes every sampler of the package has.
    "class_attributes": """sampling_strategy_ : dict
        Number of rows generated per class.
    identifier_columns_ : dict
        Identifier-like columns found in ``fit`` (name, or position for arrays,
        to the reason); empty with ``identifier_features="keep"``.
    classes_ : ndarray
        Class labels seen in ``fit``.
    class_counts_ : ndarray
        Rows per class seen in ``fit``.
    n_original_ : int
        Rows of ``X`` given to the last ``fit_resample``: the first
        ``n_original_`` rows of its output are those rows, unchanged (absent
        after ``fit``).
    synthetic_mask_ : ndarray of bool of shape (n_samples_resampled,)
        True for the rows the last ``fit_resample`` generated, False for the
        original ones; for example ``X_res[~sampler.synthetic_mask_]`` is
        ``X`` again, and ``sample_weight=np.where(mask, 0.5, 1.0)`` weighs
        synthetic rows down in a downstream fit (absent after ``fit``).
    quality_report_ : DataFrame
        With ``quality_report`` on, the last ``fit_resample``'s per-class
        report, indexed by class, columns as in
        :data:`ldm_oversample.quality.QUALITY_COLUMNS` (absent otherwise and
        after ``fit``; not stored in model files).""",
    "feature_attributes": """n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (string-named DataFrames only).""",
}


def fill_doc(doc: str | None, **defaults: Any) -> str | None:
    """Insert the shared parameter descriptions into a class docstring.

    ``{name}`` placeholders of :data:`COMMON_PARAMETERS_DOC` keys are replaced;
    ``defaults`` fill the ``{max_epochs}``-style defaults inside the fragments.
    Other braces in the docstring are left alone. ``None`` (docstrings
    stripped by ``python -OO``) is returned as is.
    """
    if doc is None:
        return None
    for key, text in COMMON_PARAMETERS_DOC.items():
        for name, value in defaults.items():
            text = text.replace("{" + name + "}", str(value))
        doc = doc.replace("{" + key + "}", text)
    return doc
