"""CTGAN-style over-sampler: a class-conditional tabular GAN (Xu et al., 2019)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from .._compat import Interval
from .._docstrings import fill_doc
from .._rows import RowSource
from .._validation import check_positive_dims, warn_few_rows
from ..base import BaseGenerativeOverSampler
from ..nn import PacDiscriminator, ResidualGenerator, gradient_penalty, span_activations
from ..tabular import TabularEncoder
from ..training import train_module
from ..utils import (
    draw_seeds,
    make_generator,
    module_on,
    resolve_device,
    seeded_torch,
)
from ._ctgan_conditions import ConditionSampler, generation_condition

__all__ = ["CTGANOverSampler"]


class CTGANOverSampler(BaseGenerativeOverSampler):
    """Over-sample with a class-conditional tabular GAN in the style of CTGAN.

    A re-implementation in torch of CTGAN (Xu et al., "Modeling Tabular Data
    using Conditional GAN", NeurIPS 2019), without the ``ctgan`` package:

    - numeric columns get CTGAN's mode-specific normalisation (a variational
      Gaussian mixture per column, through
      :class:`~ldm_oversample.TabularEncoder` with
      ``numeric_transform="mode_specific"``), categorical columns a one-hot;
    - a conditional vector with training-by-sampling: one categorical column is
      picked uniformly, one of its categories with probability proportional to
      the log of its frequency, and the real rows of the batch hold it;
    - a generator of residual blocks with ``tanh`` outputs for the scalars and
      Gumbel-softmax (``tau=0.2``) for the mode and category one-hots, and a
      cross-entropy penalty when it misses the conditioned category;
    - a PacGAN critic (``pac`` rows judged together, LeakyReLU(0.2),
      Dropout(0.5)) trained with the WGAN-GP loss (penalty weight 10);
    - Adam with CTGAN's learning rates, betas (0.5, 0.9) and weight decay.

    The class is part of the conditional vector (a one-hot, next to the
    categorical condition), classes are drawn with log-frequency during
    training so that scarce classes are seen often, and the critic sees the
    condition with each row. Generating rows of class ``c`` sets the class part
    exactly, so every generated row belongs to ``c`` (no rejection sampling).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {categorical_features}
    {identifier_features}
    {discrete_features}
    embedding_dim : int, default=128
        Width of the generator's input noise.
    generator_dims : tuple of int, default=(256, 256)
        Widths of the generator's residual blocks.
    discriminator_dims : tuple of int, default=(256, 256)
        Hidden widths of the critic.
    generator_lr : float, default=2e-4
        Adam learning rate of the generator.
    generator_decay : float, default=1e-6
        Adam weight decay (L2) of the generator.
    discriminator_lr : float, default=2e-4
        Adam learning rate of the critic.
    discriminator_decay : float, default=1e-6
        Adam weight decay (L2) of the critic.
    discriminator_steps : int, default=1
        Critic updates per generator update.
    pac : int, default=10
        Rows judged together by the critic (PacGAN). ``batch_size`` is rounded
        down to a multiple of ``pac`` (and is at least ``pac``).
    log_frequency : bool, default=True
        Draw classes and conditioned categories with probability proportional
        to the log of their frequency during training (training-by-sampling);
        False uses the frequencies themselves.
    max_modes : int, default=10
        Mixture components fitted per numeric column.
    mode_weight_threshold : float, default=0.005
        Mixture components with a weight at most this are dropped.
    n_jobs : int or None, default=None
        Parallel jobs (joblib) for the per-column mixture fits. None is 1.
    {max_epochs}
    {batch_size}
    {device}
    {verbose}
    {quality_report}

    Attributes
    ----------
    {class_attributes}
    encoder_ : TabularEncoder
        The fitted column encoder (mode-specific normalisation).
    generator_ : ResidualGenerator
        The fitted generator.
    discriminator_ : PacDiscriminator
        The fitted critic.
    category_probs_ : ndarray of shape (n_classes, n_categorical_levels)
        Frequencies of the categories within each class (each categorical
        column's block sums to 1); the categorical condition of generated rows
        is drawn from them.
    history_ : dict of list of float
        Per-epoch mean losses, under ``"generator"`` and ``"discriminator"``
        (the critic's ``-(E[D(real)] - E[D(fake)])``, without the penalty).
    batch_size_ : int
        The batch size used, a multiple of ``pac``.
    device_ : str
        The device the networks were trained on.
    {feature_attributes}

    See Also
    --------
    LDMOverSampler : Over-sample with a class-conditional latent diffusion model.

    Notes
    -----
    Like CTGAN, an epoch is ``max(n_rows // batch_size, 1)`` steps, and each
    step draws ``batch_size`` rows with replacement by training-by-sampling, so
    a batch may be larger than the training set. The draws follow CTGAN's
    joint law of (condition, real row) exactly: each row gets the probability
    of being drawn, then the conditioned column is drawn given the row.

    Where this differs from the ``ctgan`` package (0.12.1): the class is a
    condition of its own rather than a generated column, so
    ``sample(n, class_label=c)`` is exact; generation runs the generator's
    batch normalisation in inference mode (running statistics), so rows do not
    depend on how many are generated at once; the categorical condition of
    generated rows follows the within-class category frequencies (``ctgan``
    reuses the log-frequencies of training); the mixtures are fitted on
    standardised columns with a spherical covariance (the same model in one
    dimension) on at most 5000 rows; and decoded values are clipped to the
    observed range (and rounded for integer columns), as for every sampler of
    this package.

    A class to over-sample that has fewer than 6 rows (even a single row) is
    still generated for, with a :class:`UserWarning` that names the class: its
    synthetic rows stay close to those few rows, since no generator can learn a
    class's spread from so few. (:class:`SMOTEOverSampler` refuses a class of one
    row instead.)

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from ldm_oversample import CTGANOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sampler = CTGANOverSampler(max_epochs=5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 269), (1, 269)]
    """

    _parameter_constraints: dict = {
        **BaseGenerativeOverSampler._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dims": ["array-like"],
        "discriminator_dims": ["array-like"],
        "generator_lr": [Interval(Real, 0, None, closed="neither")],
        "generator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "discriminator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "pac": [Interval(Integral, 1, None, closed="left")],
        "log_frequency": ["boolean"],
        "max_modes": [Interval(Integral, 1, None, closed="left")],
        "mode_weight_threshold": [Interval(Real, 0, 1, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: float | str | dict | Callable[..., dict] = "auto",
        random_state: int | np.random.RandomState | None = None,
        categorical_features: str | ArrayLike | None = "auto",
        identifier_features: str = "warn",
        discrete_features: str | ArrayLike | None = "auto",
        embedding_dim: int = 128,
        generator_dims: Sequence[int] = (256, 256),
        discriminator_dims: Sequence[int] = (256, 256),
        generator_lr: float = 2e-4,
        generator_decay: float = 1e-6,
        discriminator_lr: float = 2e-4,
        discriminator_decay: float = 1e-6,
        discriminator_steps: int = 1,
        pac: int = 10,
        log_frequency: bool = True,
        max_modes: int = 10,
        mode_weight_threshold: float = 0.005,
        n_jobs: int | None = None,
        max_epochs: int = 300,
        batch_size: int = 500,
        device: str | torch.device = "auto",
        verbose: bool | str = "auto",
        quality_report: bool | float = False,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.identifier_features = identifier_features
        self.discrete_features = discrete_features
        self.embedding_dim = embedding_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.generator_lr = generator_lr
        self.generator_decay = generator_decay
        self.discriminator_lr = discriminator_lr
        self.discriminator_decay = discriminator_decay
        self.discriminator_steps = discriminator_steps
        self.pac = pac
        self.log_frequency = log_frequency
        self.max_modes = max_modes
        self.mode_weight_threshold = mode_weight_threshold
        self.n_jobs = n_jobs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.verbose = verbose
        self.quality_report = quality_report

    def _make_encoder(self, seed: int) -> TabularEncoder:
        return TabularEncoder(
            categorical_features=self.categorical_features,
            discrete_features=self.discrete_features,
            random_state=seed,
            numeric_transform="mode_specific",
            max_modes=self.max_modes,
            mode_weight_threshold=self.mode_weight_threshold,
            n_jobs=self.n_jobs,
        )

    # ------------------------------------------------------------- fitting
    def _fit_generator(self, X, y, classes, seed) -> dict[str, Any]:
        gen_dims = check_positive_dims(self.generator_dims, "generator_dims")
        disc_dims = check_positive_dims(self.discriminator_dims, "discriminator_dims")
        device = resolve_device(self.device)
        warn_few_rows(self, y)
        enc_seed, g_seed, d_seed, train_seed = draw_seeds(seed, 4)

        encoder = self._make_encoder(enc_seed).fit(X)
        x = torch.as_tensor(encoder.transform(X), device=device)
        labels_np = np.searchsorted(classes, y)
        n_classes = len(classes)
        sampling = ConditionSampler(
            encoder, x, labels_np, n_classes, self.log_frequency, device
        )
        segments = span_activations(encoder.layout_)
        with seeded_torch(g_seed, device):
            generator_net = ResidualGenerator(
                self.embedding_dim, sampling.cond_dim, gen_dims, segments
            ).to(device)
        with seeded_torch(d_seed, device):
            critic = PacDiscriminator(
                encoder.n_encoded_ + sampling.cond_dim, disc_dims, pac=self.pac
            ).to(device)
        opt_g = torch.optim.Adam(
            generator_net.parameters(),
            lr=self.generator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.generator_decay,
        )
        opt_d = torch.optim.Adam(
            critic.parameters(),
            lr=self.discriminator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.discriminator_decay,
        )
        # A multiple of pac, and at least 2 rows for the batch normalisation.
        batch_size = max(self.pac, self.batch_size // self.pac * self.pac)
        batch_size = max(batch_size, 2)
        n_rows = x.shape[0]
        generator_losses: list[torch.Tensor] = []
        critic_params = list(critic.parameters())

        def noise(n: int, rng: torch.Generator) -> torch.Tensor:
            return torch.randn(
                (n, self.embedding_dim), device=device, generator=rng, dtype=x.dtype
            )

        def update(rows: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
            # Critic steps: the first on the loop's batch, the others on fresh draws.
            for step in range(self.discriminator_steps):
                if step:
                    rows = sampling.draw_rows(batch_size, generator)
                real, cond_real, _ = sampling.condition(rows, generator)
                perm = torch.randperm(batch_size, generator=generator, device=device)
                cond_fake = cond_real[perm]
                with torch.no_grad():
                    z = torch.cat([noise(batch_size, generator), cond_fake], dim=1)
                    fake = generator_net.activate(generator_net(z), generator)
                real_cat = torch.cat([real, cond_real], dim=1)
                fake_cat = torch.cat([fake, cond_fake], dim=1)
                scores = critic(torch.cat([real_cat, fake_cat]), generator=generator)
                y_real, y_fake = scores.chunk(2)
                loss_d = -(y_real.mean() - y_fake.mean())
                penalty = gradient_penalty(critic, real_cat, fake_cat, generator)
                opt_d.zero_grad(set_to_none=True)
                (loss_d + penalty).backward()
                opt_d.step()

            # Generator step, on freshly drawn conditions.
            rows = sampling.draw_rows(batch_size, generator)
            real, cond, column = sampling.condition(rows, generator)
            z = torch.cat([noise(batch_size, generator), cond], dim=1)
            raw = generator_net(z)
            fake = generator_net.activate(raw, generator)
            # The critic's weights need no gradient in the generator step.
            for p in critic_params:
                p.requires_grad_(False)
            try:
                y_fake = critic(torch.cat([fake, cond], dim=1), generator=generator)
            finally:
                for p in critic_params:
                    p.requires_grad_(True)
            target, column_mask = sampling.condition_target(real, column)
            loss_g = -y_fake.mean() + generator_net.condition_loss(
                raw, target, column_mask
            )
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            generator_losses.append(loss_g.detach())
            return loss_d.detach()

        networks = torch.nn.ModuleDict({"generator": generator_net, "critic": critic})
        critic_history = train_module(
            networks,
            None,
            [torch.arange(n_rows, device=device)],
            update_fn=update,
            row_weights=sampling.row_weights,
            epoch_size=max(n_rows, batch_size),
            drop_last=True,
            max_epochs=self.max_epochs,
            batch_size=batch_size,
            generator=make_generator(train_seed, device),
            verbose=self.verbose,
            desc="CTGAN: training",
        )
        steps = max(n_rows // batch_size, 1)
        per_epoch = (
            torch.stack(generator_losses).cpu().numpy().astype(np.float64)
            if generator_losses
            else np.zeros(0)
        ).reshape(len(critic_history), steps)
        return {
            "device_": str(device),
            "encoder_": encoder,
            "generator_": generator_net,
            "discriminator_": critic,
            "category_probs_": sampling.category_probs,
            "batch_size_": batch_size,
            "history_": {
                "generator": per_epoch.mean(axis=1).tolist(),
                "discriminator": critic_history,
            },
        }

    # ---------------------------------------------------------- generation
    def _row_source(self, class_index: int) -> RowSource:
        return self._encoded_rows(functools.partial(self._draw, class_index))

    @torch.inference_mode()
    def _draw(self, class_index: int, n_samples: int, generator) -> torch.Tensor:
        """``n_samples`` encoded rows of one class from the generator network."""
        device = self._device()
        net = module_on(self.generator_, device).eval()
        cond = generation_condition(
            self.encoder_.categorical_spans,
            self.category_probs_[class_index],
            class_index,
            len(self.classes_),
            net.cond_dim,
            n_samples,
            generator,
        )
        z = torch.randn(
            (n_samples, net.embedding_dim), device=device, generator=generator
        )
        out = net.activate(net(torch.cat([z, cond], dim=1)), generator)
        return out.float()


CTGANOverSampler.__doc__ = fill_doc(
    CTGANOverSampler.__doc__, max_epochs=300, batch_size=500
)
