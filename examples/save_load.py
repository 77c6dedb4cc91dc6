"""Save a fitted sampler, load it back, and draw the same rows again.

``sampler.save(path)`` writes a fitted sampler to one file (a NumPy ``.npz``
archive with JSON metadata and the network weights), and
``ldm_oversample.load(path)`` reads it back *without unpickling*: loading a
model file never runs code from it, so model files can be shared more safely
than pickles. This example:

1. fits an :class:`~ldm_oversample.LDMOverSampler` and draws rows with
   ``sample(n, class_label)``;
2. saves it, loads it, and draws again: with the same ``random_state`` the
   rows are identical, before and after loading (also for an explicit
   ``random_state=`` of the call);
3. writes the same sampler as a pickle and shows that ``ldm_oversample.load``
   refuses it with :class:`ldm_oversample.persistence.ModelFileError`
   (a pickle can run arbitrary code when loaded: open pickles only from
   sources you trust, with ``joblib.load`` or ``pickle.load``).

The model file is written to ``$LDM_EXAMPLE_OUT/ldm_sampler.ldm``; the pickle
goes to a temporary folder and is deleted.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs (the test suite uses 2).
LDM_EXAMPLE_OUT : path, default=examples/output
    Folder the model file is written to (created if missing).

Runs in about ten seconds on a laptop CPU.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import pandas as pd

import ldm_oversample
from ldm_oversample import LDMOverSampler
from ldm_oversample.datasets import make_imbalanced_mixed
from ldm_oversample.persistence import ModelFileError

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
OUT = Path(os.environ.get("LDM_EXAMPLE_OUT", Path(__file__).parent / "output"))
SEED = 0


def same_rows(a, b):
    """Whether two DataFrames hold identical values, columns and dtypes.

    Parameters
    ----------
    a, b : DataFrame

    Returns
    -------
    bool
    """
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError:
        return False
    return True


def main():
    """Fit, sample, save, load, sample again; then try to load a pickle."""
    # 1. Fit and draw 5 attack rows (the sampler's random_state seeds sample()).
    X, y = make_imbalanced_mixed(n_samples=1000, random_state=SEED)
    sampler = LDMOverSampler(
        latent_dim=8,
        ae_hidden_dims=(64, 64),
        denoiser_width=64,
        max_epochs=EPOCHS,
        random_state=SEED,
    ).fit(X, y)
    before = sampler.sample(5, class_label="attack")
    before_seeded = sampler.sample(5, class_label="attack", random_state=42)
    print("rows drawn before saving:")
    print(before.to_string())

    # 2. Save, load (no unpickling) and draw again.
    OUT.mkdir(parents=True, exist_ok=True)
    path = sampler.save(OUT / "ldm_sampler.ldm")
    print(f"\nsaved to {path} ({path.stat().st_size / 1024:.0f} KiB)")
    loaded = ldm_oversample.load(path)
    after = loaded.sample(5, class_label="attack")
    after_seeded = loaded.sample(5, class_label="attack", random_state=42)
    print(f"loaded: {type(loaded).__name__}, classes {loaded.classes_.tolist()}")
    print("rows drawn after loading:")
    print(after.to_string())

    identical = same_rows(before, after) and same_rows(before_seeded, after_seeded)
    print(f"\nidentical rows before and after loading (same random_state): {identical}")
    assert identical, "the loaded sampler drew different rows"

    # 3. A pickle of the same sampler is refused, with an explanation.
    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "sampler.pkl"
        with pickled.open("wb") as file:
            pickle.dump(sampler, file)
        try:
            ldm_oversample.load(pickled)
        except ModelFileError as exc:
            print(f"loading a pickle was refused (ModelFileError): {exc}")
        else:
            raise AssertionError("ldm_oversample.load accepted a pickle")


if __name__ == "__main__":
    main()
