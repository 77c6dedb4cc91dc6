"""Safe persistence: ``sampler.save`` / ``ldm_oversample.load`` never unpickle.

Every sampler round-trips to identical samples; pickled payloads, edited
files, foreign classes, bad parameters, mismatched weights and other versions
are refused or flagged with a clear message, and a crafted malicious file
never gets to run its code.
"""

from __future__ import annotations

import functools
import io
import json
import os
import pickle
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

import ldm_oversample
from ldm_oversample import persistence
from ldm_oversample.persistence import ModelFileError, ModelVersionWarning

from .conftest import FAST, TORCH_SAMPLERS, make_fast, make_mixed_frame


@pytest.fixture(params=sorted(FAST))
def fast(request):
    return functools.partial(make_fast, request.param)


@pytest.fixture(scope="module")
def mixed():
    return make_mixed_frame(n=100)


class _WriteMarker:
    """Unpickling this object writes a file: a stand-in for malicious code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (_write_marker, (self.path,))


def _write_marker(path):
    with open(path, "w") as file:
        file.write("pwned")
    return "pwned"


def _read_archive(path):
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _rewrite(path, edit_tree=None, edit_arrays=None, *, fix_digest=True):
    """Edit a saved model, optionally recomputing its digest (a careful forger)."""
    arrays = _read_archive(path)
    tree = json.loads(str(arrays.pop("__metadata__")))
    digest = arrays.pop("__digest__")
    if edit_tree:
        edit_tree(tree)
    if edit_arrays:
        edit_arrays(arrays)
    text = json.dumps(tree)
    if fix_digest:
        digest = np.array(persistence._digest(text, arrays))
    with open(path, "wb") as file:
        np.savez(file, __metadata__=np.array(text), __digest__=digest, **arrays)


def _find(node, predicate):
    """First sub-node of the metadata tree for which ``predicate`` holds."""
    if isinstance(node, dict):
        if predicate(node):
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find(child, predicate)
        if found is not None:
            return found
    return None


# ------------------------------------------------------------- round trips
def test_round_trip_samples_identically_dataframe(fast, mixed, tmp_path):
    X, y = mixed
    sampler = fast().fit(X, y)
    path = sampler.save(tmp_path / "model.ldm")
    loaded = ldm_oversample.load(path)
    assert type(loaded) is type(sampler)
    assert loaded.get_params() == sampler.get_params()
    for label in ("attack", "benign"):
        pd.testing.assert_frame_equal(
            loaded.sample(40, label, random_state=5),
            sampler.sample(40, label, random_state=5),
        )
    np.testing.assert_array_equal(loaded.classes_, sampler.classes_)
    assert loaded.sampling_strategy_ == sampler.sampling_strategy_


def test_round_trip_array_and_refit(fast, multiclass, tmp_path):
    X, y = multiclass
    sampler = fast().fit(X, y)
    loaded = ldm_oversample.load(sampler.save(tmp_path / "model.ldm"))
    np.testing.assert_array_equal(loaded.sample(30, 2), sampler.sample(30, 2))
    # A loaded sampler is an ordinary estimator: it refits like a fresh one.
    X_a, y_a = loaded.fit_resample(X, y)
    X_b, y_b = fast().fit_resample(X, y)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


def test_saved_file_holds_no_pickle(fast, mixed, tmp_path):
    X, y = mixed
    path = fast().fit(X, y).save(tmp_path / "model.ldm")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert "__metadata__.npy" in names and "__digest__.npy" in names
    arrays = _read_archive(path)  # allow_pickle=False: no entry needs pickle
    assert all(a.dtype != object for a in arrays.values())
    tree = json.loads(str(arrays["__metadata__"]))
    assert tree["format"] == "ldm_oversample-model"
    assert tree["ldm_oversample_version"] == ldm_oversample.__version__
    assert tree["estimator"]["params"]["$"] == "dict"


@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_model_fitted_on_gpu_loads_and_samples_on_cpu(name, monkeypatch, tmp_path):
    X, y = make_mixed_frame(n=80)
    sampler = make_fast(name).fit(X, y)
    sampler.device_ = "cuda:0"  # as if fitted on a GPU
    expected = sampler.sample(20, random_state=1)  # no CUDA here: runs on the CPU
    path = sampler.save(tmp_path / "gpu.ldm")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = ldm_oversample.load(path)
    assert loaded.device_ == "cuda:0"
    networks = [v for v in vars(loaded).values() if isinstance(v, torch.nn.Module)]
    assert networks and all(
        p.device.type == "cpu" for n in networks for p in n.parameters()
    )
    pd.testing.assert_frame_equal(loaded.sample(20, random_state=1), expected)


def test_save_refuses_unfitted_and_unsaveable(tmp_path, multiclass):
    with pytest.raises(NotFittedError):
        make_fast("LDMOverSampler").save(tmp_path / "x.ldm")
    X, y = multiclass
    sampler = make_fast("SMOTEOverSampler", sampling_strategy=lambda y: {2: 100})
    sampler.fit(X, y)
    with pytest.raises(TypeError, match=r"params\['sampling_strategy'\]"):
        sampler.save(tmp_path / "x.ldm")


def test_random_state_instance_round_trips(tmp_path, multiclass):
    X, y = multiclass
    rng = np.random.RandomState(7)
    sampler = make_fast("SMOTEOverSampler", random_state=rng).fit(X, y)
    loaded = ldm_oversample.load(sampler.save(tmp_path / "x.ldm"))
    assert isinstance(loaded.random_state, np.random.RandomState)
    assert loaded.random_state.randint(1000) == rng.randint(1000)


# ------------------------------------------------------- hostile files
def test_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "marker"
    payload = pickle.dumps(_WriteMarker(marker))
    # The payload is live: unpickling it does write the marker ...
    pickle.loads(pickle.dumps(_WriteMarker(tmp_path / "control")))
    assert (tmp_path / "control").exists()
    # ... but load() refuses it, as a raw pickle and as a joblib file.
    for name, write in [
        ("raw.ldm", lambda p: p.write_bytes(payload)),
        ("joblib.ldm", lambda p: joblib.dump(_WriteMarker(marker), p)),
    ]:
        path = tmp_path / name
        write(path)
        with pytest.raises(ModelFileError, match="pickled data"):
            ldm_oversample.load(path)
    assert not marker.exists()


def test_pickled_array_inside_a_model_file_is_refused(tmp_path, multiclass):
    X, y = multiclass
    path = make_fast("LDMOverSampler").fit(X, y).save(tmp_path / "model.ldm")
    marker = tmp_path / "marker"

    def smuggle(arrays):
        evil = np.empty(1, dtype=object)
        evil[0] = _WriteMarker(marker)
        arrays["a0"] = evil  # np.savez pickles object arrays

    _rewrite(path, edit_arrays=smuggle, fix_digest=False)
    with pytest.raises(ModelFileError, match="pickled data"):
        ldm_oversample.load(path)
    assert not marker.exists()


def test_edited_file_is_refused(tmp_path, multiclass):
    X, y = multiclass
    path = make_fast("DDPMOverSampler").fit(X, y).save(tmp_path / "model.ldm")

    def bump_weights(arrays):
        name = next(k for k, v in arrays.items() if v.dtype == np.float32)
        arrays[name] = arrays[name] + 1

    _rewrite(path, edit_arrays=bump_weights, fix_digest=False)
    with pytest.raises(ModelFileError, match="modified or damaged"):
        ldm_oversample.load(path)


def _params(tree):
    return dict(tree["estimator"]["params"]["items"])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t["estimator"].update({"class": "subprocess.Popen"}),
            "'subprocess.Popen', which ldm_oversample does not load",
        ),
        (
            lambda t: _find(t, lambda n: n.get("$") == "object").update(
                {"class": "os._wrap_close"}
            ),
            "does not load",
        ),
        (
            lambda t: t["estimator"]["params"]["items"].append(["max_epochs", -3]),
            "invalid parameters.*max_epochs",
        ),
        (
            lambda t: t["estimator"]["params"]["items"].append(["exec_me", 1]),
            "invalid parameters.*exec_me",
        ),
        (
            lambda t: t["estimator"]["fitted"]["items"].append(["fit", 1]),
            "unexpected attribute 'fit'",
        ),
        (
            lambda t: _find(t, lambda n: n.get("$") == "module")["config"][
                "items"
            ].__setitem__(0, ["dim", 999]),
            "do not fit the saved network",
        ),
        (lambda t: t["estimator"]["fitted"].update({"$": "eval"}), "unknown value"),
        (lambda t: t.update({"format": "pickle"}), "not an ldm_oversample model"),
    ],
    ids=[
        "foreign-estimator",
        "foreign-object",
        "bad-param-value",
        "unknown-param",
        "method-shadowing",
        "weights-vs-config",
        "unknown-kind",
        "wrong-format",
    ],
)
def test_forged_metadata_is_refused(tmp_path, multiclass, edit, match):
    """Even with a recomputed digest, forged metadata is caught by its meaning."""
    X, y = multiclass
    path = make_fast("LDMOverSampler").fit(X, y).save(tmp_path / "model.ldm")
    _rewrite(path, edit_tree=edit)
    with pytest.raises(ModelFileError, match=match):
        ldm_oversample.load(path)


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04broken zip"])
def test_non_model_files_are_refused(tmp_path, content):
    path = tmp_path / "x.ldm"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not an ldm_oversample model file"):
        ldm_oversample.load(path)


def test_missing_file_or_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'.*nowhere\.ldm' does not exist"):
        ldm_oversample.load(tmp_path / "nowhere.ldm")
    with pytest.raises(FileNotFoundError, match="is a folder, not a file"):
        ldm_oversample.load(tmp_path)


def test_csv_gets_our_message_not_numpys(tmp_path, mixed):
    X, y = mixed
    path = tmp_path / "flows.csv"
    X.assign(label=y).to_csv(path, index=False)
    with pytest.raises(ModelFileError) as info:
        ldm_oversample.load(path)
    message = str(info.value)
    assert "not an ldm_oversample model file" in message
    assert "sampler.save()" in message and "a CSV or other text file?" in message
    # NumPy's own advice about pickles would mislead here.
    assert "allow_pickle" not in message and "pickled" not in message


def test_npz_without_metadata_is_refused(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="lacks the __metadata__"):
        ldm_oversample.load(path)


# ------------------------------------------------------------- versions
def test_newer_file_format_is_a_clear_error(tmp_path, multiclass):
    X, y = multiclass
    path = make_fast("SMOTEOverSampler").fit(X, y).save(tmp_path / "m.ldm")
    _rewrite(
        path,
        edit_tree=lambda t: t.update(
            {"format_version": 3, "ldm_oversample_version": "9.0"}
        ),
    )
    with pytest.raises(ModelFileError, match=r"format 3.*ldm_oversample 9\.0"):
        ldm_oversample.load(path)


def test_other_package_version_warns_and_loads(tmp_path, multiclass):
    X, y = multiclass
    sampler = make_fast("SMOTEOverSampler").fit(X, y)
    path = sampler.save(tmp_path / "m.ldm")
    _rewrite(path, edit_tree=lambda t: t.update({"ldm_oversample_version": "0.0.1"}))
    with pytest.warns(ModelVersionWarning, match=r"saved by ldm_oversample 0\.0\.1"):
        loaded = ldm_oversample.load(path)
    np.testing.assert_array_equal(loaded.sample(5, 2), sampler.sample(5, 2))


def test_save_accepts_file_objects_paths_only(tmp_path, multiclass):
    """``save`` writes exactly the path given (no '.npz' appended)."""
    X, y = multiclass
    path = make_fast("SMOTEOverSampler").fit(X, y).save(str(tmp_path / "m.model"))
    assert path.name == "m.model" and os.listdir(tmp_path) == ["m.model"]
    assert io.BytesIO(path.read_bytes()).read(2) == b"PK"


# ------------------------------------------------------- scikit-learn state
def _sklearn_nodes(tree):
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("$") in ("sklearn", "object") and "sklearn." in str(
                node.get("class")
            ):
                found.append(node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(tree)
    return found


@pytest.mark.parametrize("name", ["LDMOverSampler", "CTGANOverSampler"])
def test_transforms_are_stored_as_documented_attributes(name, mixed, tmp_path):
    """QuantileTransformer / BayesianGaussianMixture: parameters and public
    fitted attributes only, no scikit-learn internals; versions recorded."""
    import sklearn

    from ldm_oversample._sklearn_state import FITTED_ATTRIBUTES

    X, y = mixed
    path = make_fast(name).fit(X, y).save(tmp_path / "m.ldm")
    tree = json.loads(str(_read_archive(path)["__metadata__"]))
    assert tree["sklearn_version"] == sklearn.__version__
    assert tree["numpy_version"] == np.__version__
    assert tree["pandas_version"] == pd.__version__
    nodes = _sklearn_nodes(tree)
    assert nodes and all(n["$"] == "sklearn" for n in nodes)
    allowed = {a for names in FITTED_ATTRIBUTES.values() for a in names}
    for node in nodes:
        fitted = {k for k, _ in node["fitted"]["items"]}
        assert fitted <= allowed and not any(k.startswith("_") for k in fitted)


@pytest.mark.parametrize("name", ["LDMOverSampler", "CTGANOverSampler"])
@pytest.mark.parametrize("saved_under", ["same major", "0.24.2"])
def test_sklearn_version_of_the_file(name, saved_under, mixed, tmp_path):
    """Another release of the same major version loads and samples
    identically; another major version is refused, naming both."""
    import sklearn

    X, y = mixed
    sampler = make_fast(name).fit(X, y)
    path = sampler.save(tmp_path / "m.ldm")
    major = sklearn.__version__.split(".")[0]
    version = f"{major}.0.0" if saved_under == "same major" else saved_under
    _rewrite(path, edit_tree=lambda t: t.update({"sklearn_version": version}))
    if saved_under != "same major":
        with pytest.raises(ModelFileError, match=r"scikit-learn 0\.24\.2.*refit"):
            ldm_oversample.load(path)
        return
    pd.testing.assert_frame_equal(
        ldm_oversample.load(path).sample(30, random_state=1),
        sampler.sample(30, random_state=1),
    )


def test_format_1_files_load_with_a_warning(tmp_path, multiclass):
    X, y = multiclass
    sampler = make_fast("LDMOverSampler").fit(X, y)
    path = sampler.save(tmp_path / "m.ldm")

    def as_format_1(tree):
        tree["format_version"] = 1
        del tree["sklearn_version"]

    _rewrite(path, edit_tree=as_format_1)
    with pytest.warns(ModelVersionWarning, match="format 1"):
        loaded = ldm_oversample.load(path)
    np.testing.assert_array_equal(
        loaded.sample(5, random_state=0), sampler.sample(5, random_state=0)
    )


def test_files_naming_moved_classes_load(tmp_path, mixed):
    """Files written before ``tabular`` became a package name its classes by
    the old module path."""
    X, y = mixed
    sampler = make_fast("LDMOverSampler").fit(X, y)
    path = sampler.save(tmp_path / "m.ldm")
    moved = {
        f"ldm_oversample.tabular.{module}.{name}": f"ldm_oversample.tabular.{name}"
        for module, name in [("encoder", "TabularEncoder"), ("columns", "ColumnSpan")]
    }

    def old_names(node):
        if isinstance(node, dict):
            if node.get("class") in moved:
                node["class"] = moved[node["class"]]
            for child in node.values():
                old_names(child)
        elif isinstance(node, list):
            for child in node:
                old_names(child)

    _rewrite(path, edit_tree=old_names)
    assert "ldm_oversample.tabular.TabularEncoder" in str(_read_archive(path))
    pd.testing.assert_frame_equal(
        ldm_oversample.load(path).sample(9, random_state=2),
        sampler.sample(9, random_state=2),
    )


def test_sklearn_internals_are_refused_in_new_files(tmp_path, multiclass):
    """A format-2 file may not restore a transform from a raw ``__dict__``."""
    X, y = multiclass
    path = make_fast("LDMOverSampler").fit(X, y).save(tmp_path / "m.ldm")

    def as_object(tree):
        node = _sklearn_nodes(tree)[0]
        node.update({"$": "object", "state": {"$": "dict", "items": []}})

    _rewrite(path, edit_tree=as_object)
    with pytest.raises(ModelFileError, match="may not hold a QuantileTransformer"):
        ldm_oversample.load(path)


def test_import_state_rebuilds_equal_transforms():
    from sklearn.mixture import BayesianGaussianMixture
    from sklearn.preprocessing import QuantileTransformer

    from ldm_oversample._sklearn_state import export_state, import_state

    rng = np.random.default_rng(0)
    X = rng.lognormal(size=(300, 3))
    qt = QuantileTransformer(n_quantiles=50, output_distribution="normal").fit(X)
    again = import_state(QuantileTransformer, *export_state(qt))
    np.testing.assert_array_equal(again.transform(X), qt.transform(X))
    Z = rng.normal(size=(20, 3))
    np.testing.assert_array_equal(again.inverse_transform(Z), qt.inverse_transform(Z))
    bgm = BayesianGaussianMixture(
        n_components=4, weight_concentration_prior_type="dirichlet_process",
        random_state=0,
    ).fit(X[:, :1])  # fmt: skip
    again = import_state(BayesianGaussianMixture, *export_state(bgm))
    np.testing.assert_array_equal(again.predict_proba(X[:, :1]),
                                  bgm.predict_proba(X[:, :1]))  # fmt: skip
    with pytest.raises(ValueError, match="unexpected attributes"):
        import_state(QuantileTransformer, {}, {"_private": 1})
