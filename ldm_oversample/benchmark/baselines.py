"""The samplers the benchmark compares, by name, and the baselines it adds.

Every name maps to a factory of ``(random_state, device, params)``. Besides the
package's four samplers, the benchmark runs the simple alternatives a sceptical
user would try first: random over- and under-sampling, imbalanced-learn's
SMOTE variants, SMOTE followed by ENN cleaning, and SMOTE in a quantile-normal
space (:class:`NormalSpaceSMOTE`), which on CICIoT2023 is much stronger than
SMOTE on raw values. ``ldm_enn`` is the LDM followed by the same ENN cleaning
(:class:`~ldm_oversample.CleanedOverSampler`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from imblearn.combine import SMOTEENN
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator
from sklearn.preprocessing import QuantileTransformer

from ..combine import CleanedOverSampler
from ..over_sampling import (
    CTGANOverSampler,
    DDPMOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
)

__all__ = [
    "GENERATORS",
    "KEEPS_ORIGINALS",
    "SAMPLERS",
    "NormalSpaceSMOTE",
    "check_params",
    "make_sampler",
]


class NormalSpaceSMOTE(BaseEstimator):
    """SMOTE between rows mapped to a standard normal, column by column.

    Each column goes through a
    :class:`~sklearn.preprocessing.QuantileTransformer` with a normal output,
    imbalanced-learn's :class:`~imblearn.over_sampling.SMOTE` interpolates
    there, and the new rows are mapped back. Heavy-tailed flow statistics then
    weigh alike in the neighbour search, and interpolated values follow each
    column's observed quantiles. Numeric columns only (as in CICIoT2023).

    Parameters
    ----------
    sampling_strategy : str, float or dict, default="auto"
        As in imbalanced-learn's SMOTE.
    k_neighbors : int, default=5
        Neighbours of SMOTE, capped at the minority rows minus one.
    n_quantiles : int, default=1000
        Quantiles of the transform, capped at the number of rows.
    random_state : int or None, default=None
        Seed of the transform's subsampling and of SMOTE.
    """

    def __init__(
        self,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        n_quantiles: int = 1000,
        random_state: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.n_quantiles = n_quantiles
        self.random_state = random_state

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, np.ndarray]:
        """Balance ``X, y``; the original rows come first, unchanged.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numeric rows.
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled : DataFrame or ndarray
            In the container, columns and dtypes of ``X``.
        y_resampled : ndarray
        """
        frame = pd.DataFrame(X)
        y = np.asarray(y)
        smallest = int(np.unique(y, return_counts=True)[1].min())
        transform = QuantileTransformer(
            n_quantiles=max(1, min(self.n_quantiles, len(frame))),
            output_distribution="normal",
            random_state=self.random_state,
        )
        Z = transform.fit_transform(frame.to_numpy(dtype=np.float64))
        smote = SMOTE(
            sampling_strategy=self.sampling_strategy,
            k_neighbors=max(1, min(self.k_neighbors, smallest - 1)),
            random_state=self.random_state,
        )
        Z_bal, y_bal = smote.fit_resample(Z, y)
        new = transform.inverse_transform(Z_bal[len(frame) :])
        out = pd.concat(
            [frame, pd.DataFrame(new, columns=frame.columns)], ignore_index=True
        ).astype(frame.dtypes.to_dict())
        return (out if isinstance(X, pd.DataFrame) else out.to_numpy()), y_bal


_PACKAGE = {
    "smote": SMOTEOverSampler,
    "ctgan": CTGANOverSampler,
    "ddpm": DDPMOverSampler,
    "ldm": LDMOverSampler,
}
_IMBLEARN: dict[str, Any] = {
    "random": RandomOverSampler,
    "smote_normal": NormalSpaceSMOTE,
    "borderline": BorderlineSMOTE,
    "adasyn": ADASYN,
    "smoteenn": SMOTEENN,
    "rus": RandomUnderSampler,
}

#: Sampler names the protocol knows, with what they are.
SAMPLERS = {
    "none": "no oversampling",
    "random": "imblearn RandomOverSampler (duplicates attack rows)",
    "smote": "SMOTEOverSampler (imblearn SMOTE / SMOTENC / SMOTEN)",
    "smote_normal": "NormalSpaceSMOTE (SMOTE on quantile-normal values)",
    "borderline": "imblearn BorderlineSMOTE (interpolates near the boundary)",
    "adasyn": "imblearn ADASYN (more rows where the class is hard)",
    "smoteenn": "imblearn SMOTEENN (SMOTE, then edited-nearest-neighbour cleaning)",
    "rus": "imblearn RandomUnderSampler (drops benign rows)",
    "ctgan": "CTGANOverSampler (CTGAN-style conditional GAN)",
    "ddpm": "DDPMOverSampler (TabDDPM-style diffusion in data space)",
    "ldm": "LDMOverSampler (latent diffusion)",
    "ldm_enn": "CleanedOverSampler(LDMOverSampler()) (latent diffusion, then ENN)",
}

#: Samplers whose output starts with the input rows, unchanged, so that the
#: rows after them are the synthetic ones (cleaning and under-sampling drop
#: rows instead).
KEEPS_ORIGINALS = frozenset(SAMPLERS) - {"none", "smoteenn", "rus", "ldm_enn"}

#: The learned generators (slow to fit; their rows get the fidelity plots).
GENERATORS = ("ctgan", "ddpm", "ldm")


def make_sampler(
    name: str,
    random_state: int,
    *,
    device: str = "auto",
    params: dict[str, Any] | None = None,
) -> Any:
    """A sampler of the protocol by name, or None for ``"none"``.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLERS`.
    random_state : int
        Seed of the sampler.
    device : str, default="auto"
        Device of the package's samplers.
    params : dict, optional
        Extra constructor parameters.

    Returns
    -------
    sampler : object or None
    """
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r}; choose from {', '.join(SAMPLERS)}")
    params = dict(params or {})
    if name == "none":
        return None
    factory: Callable[..., Any]
    if name == "ldm_enn":
        # The parameters are the LDM's; the cleaning is SMOTEENN's.
        params["device"] = device
        check_params(LDMOverSampler, params, name)
        return CleanedOverSampler(
            LDMOverSampler(random_state=random_state, **params), cleaner="enn"
        )
    if name in _IMBLEARN:
        factory = _IMBLEARN[name]
    else:
        factory = _PACKAGE[name]
        params["device"] = device
    check_params(factory, params, name)
    return factory(random_state=random_state, **params)


def check_params(cls: Any, params: dict[str, Any], name: str) -> None:
    """Refuse parameter names ``cls`` does not take, with a suggestion: a
    one-line ``ValueError`` instead of the constructor's ``TypeError``."""
    valid = cls._get_param_names()
    for key in params:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"sampler {name!r} has no parameter {key!r}{hint}; its parameters "
                f"are {', '.join(valid)}"
            )
