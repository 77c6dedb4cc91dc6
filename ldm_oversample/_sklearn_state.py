"""The state of the scikit-learn transforms a model file holds, as plain values.

A fitted :class:`~sklearn.preprocessing.QuantileTransformer` or
:class:`~sklearn.mixture.BayesianGaussianMixture` is saved as its parameters
and its *documented* fitted attributes (``quantiles_``, ``references_``,
``means_``, ...), and rebuilt by constructing a fresh object and setting
them. Restoring the object's ``__dict__`` instead would carry scikit-learn's
private attributes, which change between releases and can load silently into
a transform that misbehaves. Documented attributes keep their meaning across
the releases of one major version, so a file loads under any of them.
"""

from __future__ import annotations

from typing import Any

from sklearn.mixture import BayesianGaussianMixture
from sklearn.preprocessing import QuantileTransformer

__all__ = ["FITTED_ATTRIBUTES", "export_state", "import_state"]

#: Per class, the documented fitted attributes that its ``transform``,
#: ``inverse_transform`` and ``predict_proba`` read.
FITTED_ATTRIBUTES: dict[type, tuple[str, ...]] = {
    QuantileTransformer: (
        "n_quantiles_",
        "quantiles_",
        "references_",
        "n_features_in_",
        "feature_names_in_",
    ),
    BayesianGaussianMixture: (
        "weights_",
        "means_",
        "covariances_",
        "precisions_",
        "precisions_cholesky_",
        "converged_",
        "n_iter_",
        "lower_bound_",
        "weight_concentration_prior_",
        "weight_concentration_",
        "mean_precision_prior_",
        "mean_precision_",
        "mean_prior_",
        "degrees_of_freedom_prior_",
        "degrees_of_freedom_",
        "covariance_prior_",
        "n_features_in_",
        "feature_names_in_",
    ),
}


def export_state(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(params, fitted)`` of a fitted transform of :data:`FITTED_ATTRIBUTES`.

    Parameters
    ----------
    obj : QuantileTransformer or BayesianGaussianMixture
        Fitted.

    Returns
    -------
    params : dict
        ``get_params(deep=False)``.
    fitted : dict
        The documented fitted attributes that ``obj`` has.
    """
    names = FITTED_ATTRIBUTES[type(obj)]
    fitted = {name: getattr(obj, name) for name in names if hasattr(obj, name)}
    return obj.get_params(deep=False), fitted


def import_state(cls: type, params: dict[str, Any], fitted: dict[str, Any]) -> Any:
    """Rebuild a transform from :func:`export_state`'s output.

    Parameters
    ----------
    cls : type
        A class of :data:`FITTED_ATTRIBUTES`.
    params : dict
        Its parameters; names the installed scikit-learn does not know are
        left out (they only steer fitting).
    fitted : dict
        Its fitted attributes; only documented names are accepted.

    Returns
    -------
    obj : object
        The fitted transform.

    Raises
    ------
    ValueError
        If ``fitted`` names an attribute outside :data:`FITTED_ATTRIBUTES`.
    """
    allowed = FITTED_ATTRIBUTES[cls]
    unknown = sorted(set(fitted) - set(allowed))
    if unknown:
        raise ValueError(f"unexpected attributes {unknown} of a {cls.__name__}")
    known = set(cls._get_param_names())  # type: ignore[attr-defined]
    obj = cls(**{k: v for k, v in params.items() if k in known})
    for name, value in fitted.items():
        setattr(obj, name, value)
    return obj
