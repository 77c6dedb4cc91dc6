"""Data-space diffusion over-sampler in the TabDDPM style (no autoencoder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import ArrayLike

from .._docstrings import fill_doc
from .._validation import warn_few_rows
from ..base import BaseGenerativeOverSampler
from ..diffusion import (
    GaussianDiffusion,
    MixedDiffusion,
    MixedSolver,
    make_schedule,
)
from ..diffusion.pipeline import DiffusionPipeline, SharedPrior
from ..utils import draw_seeds, resolve_device
from ._diffusion import DIFFUSION_CONSTRAINTS, DiffusionSamplerMixin

__all__ = ["DDPMOverSampler"]

# sklearn's QuantileTransformer clips its normal output to about ±5.2 (its
# BOUNDS_THRESHOLD of 1e-7); predicted numeric x_0 is clipped to that range.
_QUANTILE_NORMAL_BOUND = 5.2


class DDPMOverSampler(DiffusionSamplerMixin, BaseGenerativeOverSampler):
    """Over-sample with class-conditional diffusion directly in data space.

    The TabDDPM recipe (Kotelnikov et al. 2023): numeric columns are mapped to a
    standard normal by a quantile transform and diffused with Gaussian noise;
    categorical columns are one-hot encoded and diffused with multinomial noise
    (Hoogeboom et al. 2021). One class-conditional MLP denoiser predicts the
    Gaussian noise of the numeric part and the clean categories of the
    categorical part; the loss is the Gaussian MSE plus the multinomial KL.

    It shares the encoder, the denoiser network, the schedule, the solvers and
    the training loop with :class:`~ldm_oversample.LDMOverSampler`; only the space
    differs. The defaults differ, though: this sampler is twice as wide (256
    against the LDM's 128) and runs all 1000 ancestral steps (the LDM: 10
    DPM-Solver++ steps). For a clean latent-vs-data-space comparison set
    ``denoiser_width``, ``denoiser_depth`` and ``n_sampling_steps`` equal on
    both, as ``benchmarks/sampling_speed.py`` does.

    The loss is TabDDPM's: the Gaussian MSE plus ``T`` times the multinomial
    KL of the sampled step (its ``kl / pt``), so the categorical part is not
    drowned by the numeric one.

    TabDDPM tunes its MLP per dataset, up to 2048 units wide and 100 000
    training steps on a GPU; the defaults here (256 wide, at most 2000 steps)
    are sized to fit a minority class in seconds to minutes on a laptop CPU,
    which is what an oversampler inside a cross-validation loop needs. Raise
    ``denoiser_width`` and ``max_steps`` to approach TabDDPM's scale.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {categorical_features}
    {identifier_features}
    {discrete_features}
    {spread_ties}
    {quantile_balance}
    {candidate_factor}
    denoiser_width : int, default=256
        Hidden width of the MLP denoiser (TabDDPM tunes 256-2048).
    denoiser_depth : int, default=3
        Number of hidden layers of the MLP denoiser.
    n_timesteps : int, default=1000
        Number of training diffusion steps ``T`` (TabDDPM's default).
    noise_schedule : {"cosine", "linear"}, default="cosine"
        Noise schedule, shared by both parts (TabDDPM's default: cosine).
    prediction_type : {"epsilon", "v"}, default="epsilon"
        Target of the numeric part (TabDDPM predicts the noise). The predicted
        numeric ``x_0`` is clipped to the quantile transform's range (±5.2).
    n_sampling_steps : int, default=1000
        Reverse steps. The default runs all ``T`` steps as TabDDPM does; fewer
        steps use DDIM for the numeric part and skip-step multinomial posteriors
        for the categorical part.
    eta : float, default=1.0
        Stochasticity of the numeric DDIM steps; 1 on all steps is exactly
        ancestral DDPM sampling.
    class_balance : float, default=0.0
        Rows of class ``c`` are drawn into batches with weight
        ``count_c ** -class_balance`` (0: natural frequencies, TabDDPM's choice).
    {max_epochs}
    {batch_size}
    learning_rate : float, default=1e-3
        AdamW learning rate.
    patience : int or None, default=50
        Epochs without improvement of the smoothed training loss before training
        stops early. None trains for ``max_epochs``.
    {max_steps}
    max_rows_per_class : int, default=20000
        Classes with more rows are subsampled to this many for training.
    {precision}
    {device}
    {verbose}
    {quality_report}

    Attributes
    ----------
    {class_attributes}
    encoder_ : TabularEncoder
        The fitted column encoder.
    denoiser_ : MLPDenoiser
        The fitted denoiser over encoded rows.
    diffusion_ : MixedDiffusion
        The Gaussian + multinomial process.
    history_ : dict of list of float
        Per-epoch training losses under ``"diffusion"``.
    device_ : str
        The device the model was trained on.
    {feature_attributes}

    See Also
    --------
    LDMOverSampler : The same diffusion in an autoencoder's latent space.

    Notes
    -----
    Sampling costs ``n_sampling_steps`` network evaluations over the full encoded
    width (numeric columns plus one-hot categories); the default 1000 steps make it
    about 20 times slower than the LDM's 50 latent steps.

    A class to over-sample that has fewer than 6 rows (even a single row) is
    still generated for, with a :class:`UserWarning` that names the class: its
    synthetic rows stay close to those few rows, since no generator can learn a
    class's spread from so few. (:class:`SMOTEOverSampler` refuses a class of one
    row instead.)

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from ldm_oversample import DDPMOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sampler = DDPMOverSampler(max_epochs=5, n_sampling_steps=50, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 269), (1, 269)]
    """

    _parameter_constraints: dict = {
        **BaseGenerativeOverSampler._parameter_constraints,
        **DIFFUSION_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        sampling_strategy: float | str | dict | Callable[..., dict] = "auto",
        random_state: int | np.random.RandomState | None = None,
        categorical_features: str | ArrayLike | None = "auto",
        identifier_features: str = "warn",
        discrete_features: str | ArrayLike | None = "auto",
        spread_ties: bool = True,
        quantile_balance: float = 0.0,
        candidate_factor: int = 1,
        denoiser_width: int = 256,
        denoiser_depth: int = 3,
        n_timesteps: int = 1000,
        noise_schedule: str = "cosine",
        prediction_type: Literal["epsilon", "v"] = "epsilon",
        n_sampling_steps: int = 1000,
        eta: float = 1.0,
        class_balance: float = 0.0,
        max_epochs: int = 300,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        patience: int | None = 50,
        max_steps: int | None = 2000,
        max_rows_per_class: int = 20_000,
        precision: str = "auto",
        device: str | torch.device = "auto",
        verbose: bool | str = "auto",
        quality_report: bool | float = False,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.identifier_features = identifier_features
        self.discrete_features = discrete_features
        self.spread_ties = spread_ties
        self.quantile_balance = quantile_balance
        self.candidate_factor = candidate_factor
        self.denoiser_width = denoiser_width
        self.denoiser_depth = denoiser_depth
        self.n_timesteps = n_timesteps
        self.noise_schedule = noise_schedule
        self.prediction_type = prediction_type
        self.n_sampling_steps = n_sampling_steps
        self.eta = eta
        self.class_balance = class_balance
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.max_steps = max_steps
        self.max_rows_per_class = max_rows_per_class
        self.precision = precision
        self.device = device
        self.verbose = verbose
        self.quality_report = quality_report

    def _fit_generator(self, X, y, classes, seed) -> dict[str, Any]:
        self._check_diffusion_params()
        device = resolve_device(self.device)
        warn_few_rows(self, y)
        diff_seed, cap_seed, enc_seed, filter_seed = draw_seeds(seed, 4)
        X_fit, labels, row_weights = self._training_set(X, y, classes, cap_seed)
        encoder = self._make_encoder(enc_seed).fit(X_fit, labels)
        x = torch.as_tensor(encoder.transform(X_fit), device=device)
        diffusion = MixedDiffusion(
            GaussianDiffusion(
                make_schedule(self.noise_schedule, self.n_timesteps),
                self.prediction_type,
            ),
            len(encoder.numeric_spans),
            [(s.start, s.stop) for s in encoder.categorical_spans],
        )
        denoiser, history = self._fit_denoiser(
            diffusion,
            x,
            labels,
            len(classes),
            diff_seed,
            device,
            row_weights,
            "DDPM: training the diffusion",
        )
        classifier = self._fit_filter(x, labels, len(classes), filter_seed, device)
        return {
            "device_": str(device),
            "encoder_": encoder,
            "filter_": classifier,
            "denoiser_": denoiser,
            "diffusion_": diffusion,
            "history_": {"diffusion": history},
        }

    def _pipeline(self, device: torch.device) -> DiffusionPipeline:
        # Data space: the solver's output is already an encoded row.
        return DiffusionPipeline(
            solver=MixedSolver(
                self.diffusion_, eta=self.eta, clip_sample=_QUANTILE_NORMAL_BOUND
            ),
            prior=SharedPrior(self.diffusion_.prior_sample),
            **self._pipeline_options(device),
        )


DDPMOverSampler.__doc__ = fill_doc(
    DDPMOverSampler.__doc__,
    max_epochs=300,
    batch_size=256,
    max_steps=2000,
    quantile_balance=0.0,
)
