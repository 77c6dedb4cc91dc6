"""Neural network modules: denoisers, autoencoders, GANs and embeddings."""

from .autoencoder import SpanVAE, TabularVAE, mlp, span_reconstruction_loss
from .classifier import RowClassifier
from .denoiser import MLPDenoiser
from .embeddings import TimestepEmbedding, sinusoidal_embedding
from .gan import (
    PacDiscriminator,
    Residual,
    ResidualGenerator,
    gradient_penalty,
    gumbel_softmax,
    span_activations,
)
from .transformer_vae import ColumnReconstructor, ColumnTokenizer, TokenTransformerVAE

__all__ = [
    "ColumnReconstructor",
    "ColumnTokenizer",
    "MLPDenoiser",
    "PacDiscriminator",
    "Residual",
    "ResidualGenerator",
    "RowClassifier",
    "SpanVAE",
    "TabularVAE",
    "TimestepEmbedding",
    "TokenTransformerVAE",
    "gradient_penalty",
    "gumbel_softmax",
    "mlp",
    "sinusoidal_embedding",
    "span_activations",
    "span_reconstruction_loss",
]
