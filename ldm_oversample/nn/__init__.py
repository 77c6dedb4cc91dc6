"""Neural network modules: denoisers, autoencoders, GANs and embeddings."""

from .autoencoder import TabularVAE, mlp, span_reconstruction_loss
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

__all__ = [
    "MLPDenoiser",
    "PacDiscriminator",
    "Residual",
    "ResidualGenerator",
    "RowClassifier",
    "TabularVAE",
    "TimestepEmbedding",
    "gradient_penalty",
    "gumbel_softmax",
    "mlp",
    "sinusoidal_embedding",
    "span_activations",
    "span_reconstruction_loss",
]
