"""Swap imbalanced-learn's ``SMOTE()`` for ``LDMOverSampler``, step by step.

A notebook-style walk-through (each ``# %%`` cell runs in Jupyter or VS Code)
on a mixed-type, imbalanced table from
:func:`ldm_oversample.datasets.make_imbalanced_mixed`: float, integer,
categorical and boolean columns, about 1.5% "attack" rows. The same classifier
is trained three ways and scored on the same untouched test split:

1. without resampling;
2. with ``imblearn.over_sampling.SMOTE()``. SMOTE interpolates numbers only, so
   the categorical ``protocol`` column has to be one-hot encoded first, and
   the new rows get fractional one-hot values ("30% tcp, 70% icmp");
3. with :class:`ldm_oversample.LDMOverSampler`, which takes the DataFrame as it
   is and returns new rows with the same columns and dtypes (valid categories,
   true booleans, whole numbers), so it drops into the pipeline where SMOTE
   was, without the encoder.

For each, ``imblearn.metrics.classification_report_imbalanced`` is printed.

The generated table is easy (its classes differ in almost every column), so
the column ``n_packets``, which alone nearly separates them, is left out to
give the classifier something to gain. Even so all three score high here, and
which one wins depends on the data and the seeds: the point of this example is
the API. See ``compare_samplers.py`` for fidelity metrics and a comparison.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs of the LDM (the test suite uses 2).

Runs in well under a minute on a laptop CPU.
"""

# %% Imports and settings
import os

from imblearn.metrics import classification_report_imbalanced
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder

from ldm_oversample import LDMOverSampler
from ldm_oversample.datasets import make_imbalanced_mixed

# Training epochs of the LDM; the tests shrink it through the environment.
EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
SEED = 0

# %% 1. A mixed-type imbalanced table and a stratified split
X, y = make_imbalanced_mixed(n_samples=4000, minority_fraction=0.015, random_state=SEED)
X = X.drop(columns="n_packets")  # nearly separates the classes on its own
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=SEED
)
print("column dtypes:", dict(X.dtypes.astype(str)))
print("training rows per class:", y_train.value_counts().to_dict())
print("test rows per class:    ", y_test.value_counts().to_dict())


def make_classifier():
    """The classifier every variant trains.

    Returns
    -------
    HistGradientBoostingClassifier
        Reads the ``category`` column natively (``categorical_features`` is
        ``"from_dtype"`` by default), so it takes the raw DataFrame.
    """
    return HistGradientBoostingClassifier(random_state=SEED)


def report(title, model):
    """Fit ``model`` on the training split and print its imbalanced report.

    Parameters
    ----------
    title : str
        Heading printed above the report.
    model : estimator or imblearn Pipeline
        Fitted on ``X_train, y_train``; resampling, if any, happens inside
        ``fit`` only, so the test rows are never resampled.

    Returns
    -------
    model : estimator
        The fitted model.
    """
    model.fit(X_train, y_train)
    print(f"\n=== {title} ===")
    print(classification_report_imbalanced(y_test, model.predict(X_test), digits=3))
    return model


# %% 2. No resampling
report("no resampling", make_classifier())

# %% 3. imblearn SMOTE(): numbers only, so one-hot encode "protocol" first
smote = report(
    "imblearn SMOTE()",
    Pipeline(
        [
            (
                "encode",
                make_column_transformer(
                    (OneHotEncoder(sparse_output=False), ["protocol"]),
                    remainder="passthrough",
                ),
            ),
            ("resample", SMOTE(random_state=SEED)),
            ("clf", make_classifier()),
        ]
    ),
)
# The one-hot columns of SMOTE's new rows are interpolated: not valid categories.
X_smote, _ = smote["resample"].fit_resample(smote["encode"].transform(X_train), y_train)
one_hot = X_smote[len(X_train) :, :3]
share = ((one_hot > 0) & (one_hot < 1)).any(axis=1).mean()
print(f"SMOTE rows with a fractional one-hot 'protocol': {share:.0%}")

# %% 4. LDMOverSampler: same place in the pipeline, no encoder needed
ldm = report(
    "LDMOverSampler",
    Pipeline(
        [
            (
                "resample",
                LDMOverSampler(
                    latent_dim=8,
                    ae_hidden_dims=(64, 64),
                    denoiser_width=64,
                    denoiser_depth=2,
                    max_epochs=EPOCHS,
                    random_state=SEED,
                ),
            ),  # was: SMOTE()
            ("clf", make_classifier()),
        ]
    ),
)
# The fitted sampler inside the pipeline can draw more rows of a class; they
# keep the DataFrame's columns and dtypes.
sampler = ldm["resample"]
n_new = sampler.sampling_strategy_["attack"]
new_rows = sampler.sample(n_new, class_label="attack")
kept = (new_rows.dtypes == X.dtypes).all()
print(f"LDM added {n_new} attack rows; dtypes kept: {kept}")
print("LDM 'protocol' of new rows:", new_rows["protocol"].value_counts().to_dict())
