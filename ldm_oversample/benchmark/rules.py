"""Consistency rules of CICIoT2023 flow features.

Each holds on every row of the shared 39-feature sample (see
``../shared/data/README.md``; the benchmark report prints the real rows' share
next to each sampler's). Relations between continuous columns are checked to
1% (relative), so a rule breaks only where a row is clearly inconsistent.
"""

from __future__ import annotations

import numpy as np

from ..metrics import Rule

__all__ = ["CICIOT2023_RULES"]

_RTOL = 0.01


def _implies_protocol(flag: str, number: int) -> Rule:
    return Rule(
        f"{flag}=1 ⇒ protocol {number}",
        (flag, "Protocol Type"),
        lambda X: (X[flag] < 1) | (X["Protocol Type"] == number),
    )


#: Rules of the 39-feature layout (and of the 46-feature one where it has the
#: columns): a window whose packets are all UDP, TCP or ICMP has that protocol
#: number; the average size is the total over the packet count and lies
#: between the minimum and the maximum; the variance is the squared std.
CICIOT2023_RULES = (
    _implies_protocol("UDP", 17),
    _implies_protocol("TCP", 6),
    _implies_protocol("ICMP", 1),
    Rule(
        "AVG = Tot sum / Number",
        ("AVG", "Tot sum", "Number"),
        lambda X: np.isclose(X["AVG"] * X["Number"], X["Tot sum"], rtol=_RTOL),
    ),
    Rule(
        "Min ≤ AVG ≤ Max",
        ("Min", "AVG", "Max"),
        lambda X: (
            (X["Min"] <= X["AVG"] * (1 + 1e-9)) & (X["AVG"] <= X["Max"] * (1 + 1e-9))
        ),
    ),
    Rule(
        "Variance = Std²",
        ("Variance", "Std"),
        lambda X: np.isclose(X["Variance"], X["Std"] ** 2, rtol=_RTOL, atol=1e-6),
    ),
)
