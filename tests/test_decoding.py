"""The torch decoder against the NumPy/scikit-learn one, on every column type."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from ldm_oversample import CTGANOverSampler, LDMOverSampler
from ldm_oversample.tabular import TabularEncoder
from ldm_oversample.tabular.decoding import (
    TensorDecoder,
    _z_steps,
    decode_numpy,
    row_decoder,
)


def mixed_table(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "rate": rng.lognormal(3, 2, n),  # heavy tail
            "bytes": rng.integers(0, 10**9, n).astype(np.int64),  # integer dtype
            "count": rng.poisson(40, n).astype(float),  # integral floats, > 32 values
            "flag": rng.integers(0, 2, n).astype(float),  # a 0/1 flag
            "protocol": rng.choice([0.0, 1.0, 6.0, 17.0, 47.0], n),  # codes
            "constant": np.full(n, 3.5),  # a single value
            "zeros": np.where(rng.random(n) < 0.7, 0.0, rng.exponential(5, n)),
            "small": rng.integers(0, 200, n).astype(np.uint8),
            "service": pd.Categorical(rng.choice(["dns", "http", "mqtt"], n)),
            "port": rng.choice([22, 80, 443], n).astype(object),
        }
    )


def assert_same_decoding(encoder, Z):
    values, codes = decode_numpy(encoder, Z)
    t_values, t_codes = TensorDecoder(encoder, "cpu")(torch.as_tensor(Z))
    assert t_values.dtype == np.float64 and t_codes.dtype == np.int64
    # Equal to float64 rounding, far inside the 1e-6.
    np.testing.assert_allclose(t_values, values, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(t_codes, codes)


@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_tensor_decoder_equals_the_numpy_one_on_every_column_type(scale):
    X = mixed_table()
    encoder = TabularEncoder(random_state=0).fit(X)
    rng = np.random.default_rng(1)
    # scale 4 sends many values past the transform's bounds (|z| > 5.2).
    Z = (scale * rng.standard_normal((3000, encoder.n_encoded_))).astype(np.float32)
    assert_same_decoding(encoder, Z)
    # Encoded real rows decode back to themselves through both.
    assert_same_decoding(encoder, encoder.transform(X))


def test_known_answer_of_the_inverse_quantile_transform():
    encoder = TabularEncoder(random_state=0).fit(np.arange(1001.0)[:, None] / 10)
    u = np.array([0.25, 0.5, 0.9, 0.0, 1.0])
    z = stats.norm.ppf(np.clip(u, 1e-9, 1 - 1e-9))[:, None]
    values, _ = TensorDecoder(encoder, "cpu")(torch.as_tensor(z))
    # Quantiles 0.0, 0.1, ..., 100.0: the value at u is 100 u; the bounds map
    # to the first and last quantile.
    np.testing.assert_allclose(values[:, 0], [25.0, 50.0, 90.0, 0.0, 100.0], atol=1e-6)


def test_missing_values_stay_missing_and_one_quantile_works():
    encoder = TabularEncoder(random_state=0).fit(mixed_table(n=1))
    assert encoder.quantile_transformer_.quantiles_.shape[0] == 1
    assert_same_decoding(encoder, np.zeros((4, encoder.n_encoded_), np.float32))
    encoder = TabularEncoder(random_state=0, discrete_features=None).fit(
        mixed_table()[["rate", "count"]]
    )
    Z = np.array([[np.nan, 0.0], [0.3, np.nan]], dtype=np.float32)
    values, _ = TensorDecoder(encoder, "cpu")(torch.as_tensor(Z))
    assert np.isnan(values[0, 0]) and np.isnan(values[1, 1])
    assert_same_decoding(encoder, Z)


def test_discrete_values_snap_to_the_nearest_and_ties_go_low():
    encoder = TabularEncoder(random_state=0).fit(
        np.array([[0.0], [1.0], [6.0], [17.0]])
    )
    decoder = TensorDecoder(encoder, "cpu")
    # Quantiles 0, 1, 6, 17 at u = 0, 1/3, 2/3, 1: the decoded value crosses
    # the midpoints 0.5, 3.5 and 11.5 at u = 1/6, 1/2 and 5/6.
    edges = stats.norm.ppf([1 / 6, 1 / 2, 5 / 6])
    np.testing.assert_allclose(decoder.z_edges[0, :3], edges, rtol=1e-12, atol=1e-15)
    assert decoder.z_edges[0, 3] == np.inf  # the padding
    eps = 1e-9
    z = np.array([-9.0, *(edges - eps), *(edges + eps), 9.0])[:, None]
    values, _ = decoder(torch.as_tensor(z))
    np.testing.assert_array_equal(values[:, 0], [0, 0, 1, 6, 1, 6, 17, 17])
    assert_same_decoding(encoder, z)
    # A latent exactly on a step decodes to the lower value, as a value exactly
    # on a midpoint does in the NumPy decoder.
    np.testing.assert_array_equal(
        decoder._snap(decoder.z_edges[:, :3].T).numpy()[:, 0], [0, 1, 6]
    )


def test_steps_of_a_subsampled_quantile_fit_cover_every_value():
    # Quantiles fitted on a subsample can miss the smallest and largest values:
    # their steps are then at -inf and +inf, as interpolation decodes them.
    quantiles = np.array([1.0, 2.0, 4.0])
    np.testing.assert_array_equal(
        _z_steps(quantiles, np.array([0.5, 4.0, 5.0])), [-np.inf, np.inf, np.inf]
    )
    np.testing.assert_allclose(
        _z_steps(quantiles, np.array([3.0])), [stats.norm.ppf(0.75)]
    )


def test_the_mode_specific_codec_is_refused_and_decoded_with_numpy():
    X = mixed_table()[["rate", "service"]]
    encoder = TabularEncoder(random_state=0, numeric_transform="mode_specific").fit(X)
    with pytest.raises(ValueError, match="quantile codec only"):
        TensorDecoder(encoder, "cpu")
    Z = encoder.transform(X)
    decoded = row_decoder(encoder, torch.device("cpu"))(torch.as_tensor(Z))
    pd.testing.assert_frame_equal(decoded, encoder.inverse_transform(Z))


@pytest.mark.parametrize("sampler_class", [LDMOverSampler, CTGANOverSampler])
def test_samplers_decode_their_draws_as_inverse_transform_does(sampler_class):
    X = mixed_table(n=300)
    y = np.r_[np.zeros(250, int), np.ones(50, int)]
    sampler = sampler_class(max_epochs=2, random_state=0).fit(X, y)
    source = sampler._row_source(1)
    drawn = source.draw(200, torch.Generator().manual_seed(0))
    assert isinstance(drawn, torch.Tensor)  # rows stay on the device to decode
    expected = sampler.encoder_.inverse_transform(drawn.numpy())
    pd.testing.assert_frame_equal(source.decode(drawn), expected, rtol=1e-9)
    # sample() decodes through it to valid values of the fitted types.
    rows = sampler.sample(200, 1, random_state=3)
    assert list(rows.dtypes) == list(X.dtypes)
    assert set(rows["protocol"]) <= {0.0, 1.0, 6.0, 17.0, 47.0}
    assert (rows["constant"] == 3.5).all()
