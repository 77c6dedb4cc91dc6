"""Fidelity metrics of synthetic rows against real rows."""

from ._fidelity import marginal_distances, quick_quality_summary

__all__ = ["marginal_distances", "quick_quality_summary"]
