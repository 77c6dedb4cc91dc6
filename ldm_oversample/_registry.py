"""The package's sampler classes by qualified name.

:class:`~ldm_oversample.base.BaseGenerativeOverSampler` adds each subclass the
package defines; :mod:`._model_tree` reads it to know which classes a model
file may name. Living apart from both, it lets neither import the other.
"""

from __future__ import annotations

__all__ = ["SAMPLER_CLASSES"]

#: Filled as the sampler classes are defined.
SAMPLER_CLASSES: dict[str, type] = {}
