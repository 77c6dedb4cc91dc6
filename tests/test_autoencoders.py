"""The LDM's autoencoders: the MLP β-VAE and the TabSyn-style token Transformer.

Known answers for the column tokenizer and reconstructor, the column-to-token
wiring, class conditioning, that both learn a reconstruction, and their use in
:class:`~ldm_oversample.LDMOverSampler` (``autoencoder``, ``ae_max_epochs``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

import ldm_oversample
from ldm_oversample import LDMOverSampler
from ldm_oversample.nn import (
    ColumnReconstructor,
    ColumnTokenizer,
    TabularVAE,
    TokenTransformerVAE,
    span_reconstruction_loss,
)

from .conftest import FAST_LDM

#: Two numeric columns, then a categorical span of 3 levels (encoded 2..5).
SPANS = [(2, 5)]


def test_tokenizer_known_answer():
    tok = ColumnTokenizer(2, SPANS, d_token=2)
    with torch.no_grad():
        tok.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, -1.0]]))
        tok.bias.copy_(torch.tensor([[0.5, 0.0], [0.0, 1.0]]))
        tok.embeddings[0].weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [4, 5, 6]]))
        tok.embeddings[0].bias.copy_(torch.tensor([10.0, 20.0]))
    x = torch.tensor([[2.0, -1.0, 0.0, 1.0, 0.0]])
    tokens = tok(x)
    assert tokens.shape == (1, 3, 2)
    # x_j * w_j + b_j for the numeric columns.
    torch.testing.assert_close(tokens[0, 0], torch.tensor([2.5, 4.0]))
    torch.testing.assert_close(tokens[0, 1], torch.tensor([-3.0, 2.0]))
    # The one-hot of level 1 picks the table's column 1, plus the bias.
    torch.testing.assert_close(tokens[0, 2], torch.tensor([12.0, 25.0]))


def test_reconstructor_known_answer_and_one_token_per_column():
    rec = ColumnReconstructor(2, SPANS, d_token=2)
    with torch.no_grad():
        rec.weight.copy_(torch.tensor([[1.0, 1.0], [2.0, -1.0]]))
        rec.bias.copy_(torch.tensor([0.5, -0.5]))
    h = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [0.5, -0.5]]])
    out = rec(h)
    assert out.shape == (1, 5)
    # <h_j, w_j> + b_j.
    torch.testing.assert_close(out[0, :2], torch.tensor([3.5, 1.5]))
    torch.testing.assert_close(out[0, 2:], rec.heads[0](h[0, 2]))
    # Each column is read from its own token only: moving token 1 moves
    # numeric column 1 and nothing else.
    moved = h.clone()
    moved[0, 1] += 7.0
    changed = (rec(moved) != out)[0]
    assert changed.tolist() == [False, True, False, False, False]


def test_transformer_vae_shapes_and_class_tokens():
    torch.manual_seed(0)
    vae = TokenTransformerVAE(2, SPANS, latent_dim=3, hidden_dims=(8,), n_classes=2)
    x = torch.randn(6, 5)
    y = torch.tensor([0, 1, 0, 1, 0, 1])
    mu, logvar = vae.encode(x, y)
    assert mu.shape == logvar.shape == (6, 3)
    assert vae.decode(mu, y).shape == (6, 5)
    # The class token is read: the same latent decodes differently per class.
    z = torch.zeros(2, 3)
    out = vae.decode(z, torch.tensor([0, 1]))
    assert not torch.allclose(out[0], out[1])
    with pytest.raises(ValueError, match="needs class labels"):
        vae.encode(x)
    plain = TokenTransformerVAE(2, SPANS, latent_dim=3, hidden_dims=(8,))
    assert len(plain.class_tokens) == 0
    assert plain.decode(z).shape == (2, 5)
    assert len(vae.encoder) == 1  # one layer per entry of hidden_dims
    rebuilt = TokenTransformerVAE(**vae.config)
    rebuilt.load_state_dict(vae.state_dict())
    torch.testing.assert_close(rebuilt.decode(z, y[:2]), vae.decode(z, y[:2]))


def _low_rank_rows(n: int = 512, seed: int = 0) -> torch.Tensor:
    """Six numeric columns and a 3-level categorical, all set by 2 factors."""
    g = torch.Generator().manual_seed(seed)
    factors = torch.randn(n, 2, generator=g)
    numeric = factors @ torch.randn(2, 6, generator=g)
    level = (factors[:, 0] > 0.5).long() + (factors[:, 0] > -0.5).long()
    onehot = torch.nn.functional.one_hot(level, 3).float()
    return torch.cat([numeric, onehot], dim=1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: TabularVAE(6, [(6, 9)], 2, (32,)),
        lambda: TokenTransformerVAE(6, [(6, 9)], 2, (32,), d_token=4),
    ],
    ids=["mlp", "transformer"],
)
def test_both_autoencoders_learn_a_reconstruction(make):
    torch.manual_seed(0)
    x = _low_rank_rows()
    vae = make()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(1)

    def recon() -> float:
        with torch.no_grad():
            out = vae.decode(vae.encode(x)[0])
            return span_reconstruction_loss(out, x, 6, [(6, 9)]).item()

    before = recon()
    for _ in range(150):
        opt.zero_grad()
        vae.loss(x, 1e-3, g).backward()
        opt.step()
    # Two latent dimensions hold the two factors: the loss falls 220-370x over
    # seeds 0-2; with one latent dimension (too few) only 3-5x.
    assert recon() < before / 20


# ------------------------------------------------------------- in the LDM
def fast(**kwargs):
    return LDMOverSampler(**{**FAST_LDM, "random_state": 0, **kwargs})


def test_ldm_with_the_transformer_autoencoder(mixed_data, tmp_path):
    X, y = mixed_data
    sampler = fast(autoencoder="transformer")
    X_res, y_res = sampler.fit_resample(X, y)
    vae = sampler.autoencoder_
    assert isinstance(vae, TokenTransformerVAE)
    assert vae.n_columns == X.shape[1]  # one token per column
    assert vae.latent_dim == FAST_LDM["latent_dim"]
    assert vae.n_classes == 2  # conditional_autoencoder=True
    new = X_res.iloc[len(X) :]
    assert (y_res.iloc[len(X) :] == "attack").all()
    assert set(new["proto"].cat.categories) == set(X["proto"].cat.categories)
    assert new["service"].isin(X["service"].unique()).all()
    loaded = ldm_oversample.load(sampler.save(tmp_path / "model.ldm"))
    assert isinstance(loaded.autoencoder_, TokenTransformerVAE)
    pd.testing.assert_frame_equal(
        loaded.sample(20, "attack", random_state=3),
        sampler.sample(20, "attack", random_state=3),
    )


def test_ae_max_epochs_sets_the_autoencoder_stage_only(multiclass):
    X, y = multiclass
    sampler = fast(max_epochs=2, ae_max_epochs=5, patience=None).fit(X, y)
    assert len(sampler.history_["autoencoder"]) == 5
    assert len(sampler.history_["diffusion"]) == 2
    default = fast(max_epochs=2, patience=None).fit(X, y)
    assert len(default.history_["autoencoder"]) == 2
    assert np.isfinite(sampler.history_["autoencoder"]).all()


@pytest.mark.parametrize(
    "params", [{"autoencoder": "tabsyn"}, {"ae_max_epochs": 0}], ids=str
)
def test_bad_autoencoder_parameters_are_refused(params, multiclass):
    X, y = multiclass
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        fast(**params).fit(X, y)
