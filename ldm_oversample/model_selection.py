"""Grid search over sampling parameters without refitting the generator.

The diffusion samplers read some parameters only when they generate
(``n_sampling_steps``, ``solver``, ``eta``, ``noise_temperature``,
``strength``, ``guidance_scale``, ``lambda_min_clipped``, ``precision``; each
sampler lists its own in ``_sampling_parameters``). :class:`SamplingSearchCV`
fits the generator once per fold and per setting of the other parameters, and sweeps
those, and the parameters of the steps after the sampler, on the fitted
generator. Each candidate gets the rows, the downstream fit and the score that
:class:`~sklearn.model_selection.GridSearchCV` would give it, at a fraction of
the generator fits. (The LDM's distilled student, which depends on the
sampling parameters, is distilled again per candidate.)
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np
from imblearn.pipeline import Pipeline
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable

__all__ = ["SamplingSearchCV"]


def _sampler_step(pipeline: Pipeline) -> int | None:
    """Position of the step whose sampling parameters can be swept, if any."""
    for i, (_, step) in enumerate(pipeline.steps[:-1]):
        if getattr(step, "_sampling_parameters", ()):
            return i
    return None


def _split_candidate(pipeline: Pipeline, params: dict[str, Any]):
    """``(refit, sweep)``: the parameters that need a fresh generator fit, and
    those that do not (the sampler's sampling parameters, the later steps')."""
    probe = clone(pipeline).set_params(**params)
    at = _sampler_step(probe)
    if at is None:
        return params, {}
    names = [name for name, _ in probe.steps]
    sampler_name = names[at]
    free = set(probe.steps[at][1]._sampling_parameters)
    refit: dict[str, Any] = {}
    sweep: dict[str, Any] = {}
    for key, value in params.items():
        step, _, param = key.partition("__")
        later = step in names and names.index(step) > at
        free_here = later or (step == sampler_name and param in free)
        (sweep if free_here else refit)[key] = value
    return refit, sweep


def _timed(fit, scorer, X_te, y_te, error_score) -> tuple[float, float, float]:
    """``(score, fit_time, score_time)`` of the estimator ``fit()`` returns, or
    ``error_score`` where fitting or scoring raises (as ``GridSearchCV``)."""
    start = time.perf_counter()
    try:
        fitted = fit()
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        return float(scorer(fitted, X_te, y_te)), fit_time, time.perf_counter() - start
    except Exception:
        if error_score == "raise":
            raise
        return float(error_score), time.perf_counter() - start, 0.0


def _fit_group(pipeline, refit, candidates, X, y, train, test, scorer, error_score):
    """Fit the pipeline up to the sampler once, then score every candidate."""
    from sklearn.utils._indexing import _safe_indexing

    X_tr, y_tr = _safe_indexing(X, train), _safe_indexing(y, train)
    X_te, y_te = _safe_indexing(X, test), _safe_indexing(y, test)
    # The pipeline with this group's fit parameters, cloned for each use.
    template = clone(pipeline).set_params(**refit)
    at = _sampler_step(template)
    if at is None:  # nothing to sweep: GridSearchCV's fit and score

        def plain(params):
            return clone(template).set_params(**params).fit(X_tr, y_tr)

        return [
            (index, *_timed(lambda p=params: plain(p), scorer, X_te, y_te, error_score))
            for index, params in candidates
        ]
    # Each candidate starts from the pipeline's values of every swept key, so
    # that one candidate's setting never leaks into the next.
    current = template.get_params()
    baseline = {k: current[k] for _, p in candidates for k in p if k in current}
    fitted: dict[str, Any] = {}  # the pipeline up to the sampler, once fitted

    def fit(params):
        pipe = fitted["pipe"] if fitted else clone(template)
        pipe.set_params(**{**baseline, **params})
        sampler = pipe.steps[at][1]
        if not fitted:
            Xt = X_tr
            for _, step in pipe.steps[:at]:
                Xt = step.fit_transform(Xt, y_tr)
            state = copy.deepcopy(sampler.random_state)
            X_res, y_res = sampler.fit_resample(Xt, y_tr)
            fitted.update(pipe=pipe, Xt=Xt, state=state)
        else:
            # The sampling parameters as a fit would check them, then the rows
            # that fit would give, from the same seeds.
            sampler._validate_params()
            sampler._check_diffusion_params()
            # A student learnt at other settings is distilled again (LDM).
            getattr(sampler, "_refresh_student", lambda: None)()
            X_res, y_res = sampler._checked_resample(
                fitted["Xt"],
                y_tr,
                refit=False,
                random_state=copy.deepcopy(fitted["state"]),
            )
        rest = clone(Pipeline(pipe.steps[at + 1 :])).fit(X_res, y_res)
        return Pipeline([*pipe.steps[: at + 1], *rest.steps])

    return [
        (index, *_timed(lambda p=params: fit(p), scorer, X_te, y_te, error_score))
        for index, params in candidates
    ]


class SamplingSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Exhaustive search over a grid, fitting each generator once per fold.

    ``estimator`` is an :class:`imblearn.pipeline.Pipeline` holding one of the
    package's diffusion samplers (``LDMOverSampler``, ``DDPMOverSampler``) and
    a final estimator. For each fold and each setting of the parameters that
    change the fit (the sampler's other parameters and the steps before it),
    the steps up to the sampler are fitted once; every grid point that differs
    only in the sampler's sampling parameters (``_sampling_parameters``, such
    as ``n_sampling_steps``, ``solver``, ``noise_temperature``) or in the steps
    after the sampler (the classifier's ``C``) is then generated from the fitted
    generator, with the seeds a fresh fit would use, and scored. The
    ``cv_results_``, ``best_params_`` and ``best_estimator_`` are those of
    :class:`~sklearn.model_selection.GridSearchCV` on the same grid with a
    seeded sampler and deterministic steps before it; only the number of
    generator fits (``n_generator_fits_``) drops.

    Parameters
    ----------
    estimator : imblearn Pipeline
        The pipeline to tune. Without a sweepable sampler step every grid
        point is refitted, as in ``GridSearchCV``.
    param_grid : dict or list of dicts
        As in ``GridSearchCV``.
    scoring : str or callable, default=None
        One scorer, as in ``GridSearchCV`` (multi-metric is not supported).
    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV`` (stratified for a classifier).
    n_jobs : int, default=None
        Parallel jobs, one per fold and generator fit, through joblib: a
        ``joblib.parallel_config(backend="dask")`` (or ``"ray"``) block runs
        them on a cluster.
    refit : bool, default=True
        Refit the best candidate on the whole data as ``best_estimator_``.
    error_score : "raise" or float, default=np.nan
        Score of a candidate whose fit fails.

    Attributes
    ----------
    cv_results_ : dict of ndarray
        ``params``, ``param_<name>``, ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time`` and ``mean_score_time``, as in ``GridSearchCV``.
    best_index_, best_params_, best_score_ : int, dict, float
        The candidate with the best mean test score.
    best_estimator_ : Pipeline
        That candidate refitted on all rows (``refit=True``).
    n_generator_fits_ : int
        Generator fits the search made, ``refit`` included; ``GridSearchCV``
        makes ``n_candidates * n_splits_ + 1``.
    n_splits_ : int
        Number of folds.

    Examples
    --------
    >>> from imblearn.pipeline import Pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ldm_oversample import LDMOverSampler
    >>> from ldm_oversample.model_selection import SamplingSearchCV
    >>> pipe = Pipeline([("ldm", LDMOverSampler(random_state=0)),
    ...                  ("model", LogisticRegression())])
    >>> search = SamplingSearchCV(
    ...     pipe, {"ldm__noise_temperature": [0.8, 1.0, 1.2]}, scoring="f1"
    ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        cv: Any = 5,
        n_jobs: int | None = None,
        refit: bool = True,
        error_score: Any = np.nan,
    ) -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.refit = refit
        self.error_score = error_score

    def fit(self, X: ArrayLike, y: ArrayLike) -> SamplingSearchCV:
        """Score every grid point on every fold; refit the best.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : SamplingSearchCV
        """
        if not isinstance(self.estimator, Pipeline):
            raise TypeError(
                "SamplingSearchCV tunes an imblearn.pipeline.Pipeline holding a "
                f"sampler and a final estimator; got {type(self.estimator).__name__}."
            )
        X, y = indexable(X, y)
        candidates = list(ParameterGrid(self.param_grid))
        splits = list(
            check_cv(self.cv, y, classifier=is_classifier(self.estimator)).split(X, y)
        )
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        groups: list[tuple[dict, list]] = []
        for index, params in enumerate(candidates):
            refit, sweep = _split_candidate(self.estimator, params)
            for key, members in groups:
                if key == refit:
                    members.append((index, sweep))
                    break
            else:
                groups.append((refit, [(index, sweep)]))
        jobs = [
            delayed(_fit_group)(
                self.estimator,
                refit,
                members,
                X,
                y,
                train,
                test,
                scorer,
                self.error_score,
            )
            for refit, members in groups
            for train, test in splits
        ]
        out = Parallel(n_jobs=self.n_jobs)(jobs)
        n_splits = len(splits)
        scores = np.full((len(candidates), n_splits), np.nan)
        fit_times, score_times = np.zeros_like(scores), np.zeros_like(scores)
        for job, results in enumerate(out):
            fold = job % n_splits
            for index, score, fit_time, score_time in results:
                scores[index, fold] = score
                fit_times[index, fold] = fit_time
                score_times[index, fold] = score_time
        self.cv_results_ = self._results(candidates, scores, fit_times, score_times)
        self.n_splits_ = n_splits
        self.scorer_ = scorer
        self.best_index_ = int(np.argmin(self.cv_results_["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        self.n_generator_fits_ = len(groups) * n_splits
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_.fit(X, y)
            self.n_generator_fits_ += 1
        return self

    @staticmethod
    def _results(candidates, scores, fit_times, score_times) -> dict[str, Any]:
        results: dict[str, Any] = {
            "mean_fit_time": fit_times.mean(axis=1),
            "std_fit_time": fit_times.std(axis=1),
            "mean_score_time": score_times.mean(axis=1),
            "std_score_time": score_times.std(axis=1),
        }
        for name in sorted({key for params in candidates for key in params}):
            column = np.ma.MaskedArray(
                np.empty(len(candidates), dtype=object), mask=True
            )
            for i, params in enumerate(candidates):
                if name in params:
                    column[i] = params[name]
            results[f"param_{name}"] = column
        results["params"] = candidates
        for fold in range(scores.shape[1]):
            results[f"split{fold}_test_score"] = scores[:, fold]
        mean = scores.mean(axis=1)
        results["mean_test_score"] = mean
        results["std_test_score"] = scores.std(axis=1)
        # As GridSearchCV: failed candidates (NaN) rank last.
        finite = np.where(np.isnan(mean), -np.inf, mean)
        results["rank_test_score"] = rankdata(-finite, method="min").astype(np.int32)
        return results

    def _best(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict with ``best_estimator_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._best().predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities from ``best_estimator_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._best().predict_proba(X)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """``scorer_`` of ``best_estimator_`` on ``X, y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        score : float
        """
        return float(self.scorer_(self._best(), X, y))
