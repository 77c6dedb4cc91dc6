"""CICIoT2023 labels: fine attack labels and families, in every spelling seen.

The original release labels rows with fine labels (``"DDoS-ICMP_Flood"``);
the merged release upper-cases them, and the shared sample gives families
(``label_multiclass``). :func:`label_family` maps any of them to one of ten
families, ignoring case, ``-``, ``_`` and spaces.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["label_family"]

#: Family names, as in the shared sample's ``label_multiclass``.
_FAMILIES: tuple[str, ...] = (
    "Benign",
    "DDoS",
    "DoS",
    "Mirai",
    "Recon",
    "Spoofing",
    "WebAttack",
    "BruteForce",
    "Malware",
    "Uploading",
)

#: Fine labels of the original release (canonical spelling) and their family.
_FINE_TO_FAMILY: dict[str, str] = {
    "BenignTraffic": "Benign",
    "DDoS-ACK_Fragmentation": "DDoS",
    "DDoS-HTTP_Flood": "DDoS",
    "DDoS-ICMP_Flood": "DDoS",
    "DDoS-ICMP_Fragmentation": "DDoS",
    "DDoS-PSHACK_Flood": "DDoS",
    "DDoS-RSTFINFlood": "DDoS",
    "DDoS-SYN_Flood": "DDoS",
    "DDoS-SlowLoris": "DDoS",
    "DDoS-SynonymousIP_Flood": "DDoS",
    "DDoS-TCP_Flood": "DDoS",
    "DDoS-UDP_Flood": "DDoS",
    "DDoS-UDP_Fragmentation": "DDoS",
    "DoS-HTTP_Flood": "DoS",
    "DoS-SYN_Flood": "DoS",
    "DoS-TCP_Flood": "DoS",
    "DoS-UDP_Flood": "DoS",
    "Mirai-greeth_flood": "Mirai",
    "Mirai-greip_flood": "Mirai",
    "Mirai-udpplain": "Mirai",
    "Recon-HostDiscovery": "Recon",
    "Recon-OSScan": "Recon",
    "Recon-PingSweep": "Recon",
    "Recon-PortScan": "Recon",
    "VulnerabilityScan": "Recon",
    "MITM-ArpSpoofing": "Spoofing",
    "DNS_Spoofing": "Spoofing",
    "BrowserHijacking": "WebAttack",
    "CommandInjection": "WebAttack",
    "SqlInjection": "WebAttack",
    "XSS": "WebAttack",
    "DictionaryBruteForce": "BruteForce",
    "Backdoor_Malware": "Malware",
    "Uploading_Attack": "Uploading",
}

#: Other spellings of a fine label: alias -> canonical fine label.
_FINE_ALIASES: dict[str, str] = {
    "Benign_Final": "BenignTraffic",
}

#: Other spellings of a family name: alias -> family.
_FAMILY_ALIASES: dict[str, str] = {
    "Web": "WebAttack",
}


def _key(label: str) -> str:
    """Normalise a label for lookup: case-insensitive, ignoring ``-``, ``_``, spaces."""
    return "".join(ch for ch in label.strip().casefold() if ch not in "-_ ")


def _build_lookup() -> dict[str, tuple[str, str]]:
    lookup: dict[str, tuple[str, str]] = {}
    for family in _FAMILIES:
        lookup[_key(family)] = (family, family)
    for alias, family in _FAMILY_ALIASES.items():
        lookup[_key(alias)] = (family, family)
    for fine, family in _FINE_TO_FAMILY.items():
        lookup[_key(fine)] = (family, fine)
    for alias, fine in _FINE_ALIASES.items():
        lookup[_key(alias)] = (_FINE_TO_FAMILY[fine], fine)
    return lookup


#: Normalised label -> (family, canonical fine label).
_LOOKUP: dict[str, tuple[str, str]] = _build_lookup()


def _map_labels(labels: Iterable[object] | pd.Series | np.ndarray) -> np.ndarray:
    """Map labels to an array of shape (n, 2): family and canonical fine label."""
    values = pd.Series(np.asarray(labels, dtype=object).ravel(), dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.empty((len(uniques), 2), dtype=object)
    unknown: list[str] = []
    for i, value in enumerate(uniques):
        entry = _LOOKUP.get(_key(value)) if isinstance(value, str) else None
        if entry is None:
            unknown.append(repr(value))
        else:
            mapped[i] = entry
    if unknown:
        shown = ", ".join(unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(
            f"unknown CICIoT2023 label(s): {shown}{more}; expected a fine label such "
            f"as 'DDoS-ICMP_Flood' or a family name ({', '.join(_FAMILIES)})"
        )
    return mapped[codes].reshape(len(codes), 2)


def label_family(labels: Iterable[object] | pd.Series | np.ndarray) -> np.ndarray:
    """Map CICIoT2023 labels (fine or family) to their attack family.

    Matching ignores case and the characters ``-``, ``_`` and spaces, so
    ``"DDOS-ICMP_FLOOD"``, ``"DDoS-ICMP_Flood"`` and ``"ddos_icmp_flood"`` are
    the same label. Family names are accepted as they are.

    The mapping, family: labels (fine labels in the original release's spelling):

    - ``Benign``: BenignTraffic, Benign_Final, BENIGN (merged release)
    - ``DDoS``: DDoS-ACK_Fragmentation, DDoS-HTTP_Flood, DDoS-ICMP_Flood,
      DDoS-ICMP_Fragmentation, DDoS-PSHACK_Flood, DDoS-RSTFINFlood,
      DDoS-SYN_Flood, DDoS-SlowLoris, DDoS-SynonymousIP_Flood, DDoS-TCP_Flood,
      DDoS-UDP_Flood, DDoS-UDP_Fragmentation
    - ``DoS``: DoS-HTTP_Flood, DoS-SYN_Flood, DoS-TCP_Flood, DoS-UDP_Flood
    - ``Mirai``: Mirai-greeth_flood, Mirai-greip_flood, Mirai-udpplain
    - ``Recon``: Recon-HostDiscovery, Recon-OSScan, Recon-PingSweep,
      Recon-PortScan, VulnerabilityScan
    - ``Spoofing``: MITM-ArpSpoofing, DNS_Spoofing
    - ``WebAttack``: BrowserHijacking, CommandInjection, SqlInjection, XSS
      (the family name ``Web`` is accepted too)
    - ``BruteForce``: DictionaryBruteForce
    - ``Malware``: Backdoor_Malware
    - ``Uploading``: Uploading_Attack

    Parameters
    ----------
    labels : array-like of str
        Fine labels (as in the ``label`` column of the original release) or
        family names (as in ``label_multiclass`` of the shared sample), mixed
        freely.

    Returns
    -------
    families : ndarray of shape (n_labels,), dtype object
        The family name of each label, one of ``"Benign"``, ``"DDoS"``,
        ``"DoS"``, ``"Mirai"``, ``"Recon"``, ``"Spoofing"``, ``"WebAttack"``,
        ``"BruteForce"``, ``"Malware"`` or ``"Uploading"``.

    Raises
    ------
    ValueError
        If a label is unknown (or missing); the message lists up to 5 of the
        unknown values.

    Examples
    --------
    >>> label_family(["MITM-ArpSpoofing", "DDOS-ICMP_FLOOD", "Benign_Final"])
    array(['Spoofing', 'DDoS', 'Benign'], dtype=object)
    """
    return np.ascontiguousarray(_map_labels(labels)[:, 0])
