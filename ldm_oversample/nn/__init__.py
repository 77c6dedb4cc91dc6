"""Neural network modules: denoisers, autoencoders and embeddings."""

from .autoencoder import TabularVAE, mlp, span_reconstruction_loss
from .denoiser import MLPDenoiser
from .embeddings import TimestepEmbedding, sinusoidal_embedding

__all__ = [
    "MLPDenoiser",
    "TabularVAE",
    "TimestepEmbedding",
    "mlp",
    "sinusoidal_embedding",
    "span_reconstruction_loss",
]
