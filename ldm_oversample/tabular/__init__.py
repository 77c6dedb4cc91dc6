"""Mixed-type tabular encoding shared by every generative sampler.

:class:`TabularEncoder` (:mod:`.encoder`) maps a table (DataFrame or array)
to a dense float matrix and back. Its parts, one module each:

- :mod:`.columns`: column typing (:func:`resolve_categorical_features`), the
  :class:`ColumnSpan` layout, and column checks;
- :mod:`.quantile`: the default numeric codec, a quantile transform to a
  standard normal, and the :class:`~.quantile.NumericCodec` interface;
- :mod:`.mode_specific`: CTGAN's mode-specific normalisation, the other codec;
- :mod:`.decoding`: decoding with NumPy, or with torch on the device the rows
  were generated on (:class:`~.decoding.TensorDecoder`).
"""

from .columns import ColumnSpan, resolve_categorical_features
from .encoder import NUMERIC_CODECS, TabularEncoder
from .mode_specific import draw_categorical

__all__ = [
    "NUMERIC_CODECS",
    "ColumnSpan",
    "TabularEncoder",
    "draw_categorical",
    "resolve_categorical_features",
]
