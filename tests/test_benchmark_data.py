"""load_ciciot2023 and label_family: layouts, paths, labels, validation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.benchmark import (
    CICIOT2023_FEATURES_39,
    CICIOT2023_FEATURES_46,
    label_family,
    load_ciciot2023,
)

FINE = ["DDoS-ICMP_Flood", "MITM-ArpSpoofing", "DNS_Spoofing", "BenignTraffic"]
FINE += ["Mirai-udpplain"]
FAMILY = ["DDoS", "Spoofing", "Spoofing", "Benign", "Mirai"]


def make_frame(features, labels, label_column="label", seed=0, extra=True):
    """A small CICIoT2023-like frame: shuffled columns, integer and float features."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    frame = pd.DataFrame(
        {
            name: rng.integers(0, 5, n) if i % 3 == 0 else rng.random(n) * 100
            for i, name in enumerate(features)
        }
    )
    frame[label_column] = labels
    if extra:
        frame["label_binary"] = 1
    return frame[rng.permutation(frame.columns)]


def write(frame, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def test_original46_file_fine_labels(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_46, FINE)
    out = load_ciciot2023(write(frame, tmp_path / "part-00000.csv"))
    assert list(out.columns) == [*CICIOT2023_FEATURES_46, "label_family", "label_fine"]
    assert out.attrs["layout"] == "original46"
    assert (out[list(CICIOT2023_FEATURES_46)].dtypes == np.float64).all()
    assert pd.api.types.is_string_dtype(out["label_family"])
    assert pd.api.types.is_string_dtype(out["label_fine"])
    assert out["label_family"].tolist() == FAMILY
    assert out["label_fine"].tolist() == FINE
    np.testing.assert_array_equal(
        out["Rate"].to_numpy(), frame["Rate"].to_numpy(dtype=float)
    )
    assert isinstance(out.index, pd.RangeIndex)


def test_merged39_gz_upper_case_labels_and_coarse_labels(tmp_path):
    upper = ["DDOS-ICMP_FLOOD", "MITM-ARPSPOOFING", "BENIGN", "Benign_Final"]
    frame = make_frame(CICIOT2023_FEATURES_39, upper, "Label")
    path = write(frame, tmp_path / "Merged01.csv.gz")
    with open(path, "rb") as handle:
        assert handle.read(2) == b"\x1f\x8b"  # really gzip
    out = load_ciciot2023(path)
    assert out.attrs["layout"] == "merged39"
    assert list(out.columns[:-2]) == list(CICIOT2023_FEATURES_39)
    assert out["label_family"].tolist() == ["DDoS", "Spoofing", "Benign", "Benign"]
    assert out["label_fine"].tolist() == [
        "DDoS-ICMP_Flood",
        "MITM-ArpSpoofing",
        "Benign",
        "BenignTraffic",
    ]

    coarse = ["Spoofing", "WebAttack", "Benign"]
    frame = make_frame(CICIOT2023_FEATURES_39, coarse, "label_multiclass")
    out = load_ciciot2023(write(frame, tmp_path / "sample.csv"))
    assert out["label_family"].tolist() == coarse
    assert out["label_fine"].tolist() == coarse
    assert "label_binary" not in out


def test_fine_label_column_wins_over_coarse(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_46, FINE)
    frame["label_multiclass"] = FAMILY
    out = load_ciciot2023(write(frame, tmp_path / "both.csv"))
    assert out["label_fine"].tolist() == FINE
    assert list(out.columns[-2:]) == ["label_family", "label_fine"]


def test_directory_glob_and_list(tmp_path):
    data = tmp_path / "parts"
    a = write(make_frame(CICIOT2023_FEATURES_46, FINE[:2], seed=1), data / "part-1.csv")
    b = write(make_frame(CICIOT2023_FEATURES_46, FINE[2:], seed=2), data / "part-2.csv")
    c = data / "part-3.csv.gz"
    make_frame(CICIOT2023_FEATURES_46, ["XSS"], seed=3).to_csv(c, index=False)
    (data / "notes.txt").write_text("not a csv")
    (data / "nested").mkdir()
    write(make_frame(CICIOT2023_FEATURES_39, ["XSS"]), data / "nested" / "x.csv")

    expected = [*FINE, "XSS"]
    by_dir = load_ciciot2023(data)
    assert by_dir["label_fine"].tolist() == expected
    assert by_dir["label_family"].tolist()[-1] == "WebAttack"
    by_glob = load_ciciot2023(str(data / "part-*"))
    pd.testing.assert_frame_equal(by_glob, by_dir)
    by_list = load_ciciot2023([b, str(data / "part-3*"), a, a])  # a only once
    assert by_list["label_fine"].tolist() == [*FINE[2:], "XSS", *FINE[:2]]
    assert len(load_ciciot2023([data, a])) == len(expected)


def test_max_rows_reads_files_in_order(tmp_path):
    labels = ["Recon-PortScan"] * 4
    write(make_frame(CICIOT2023_FEATURES_39, labels, "Label"), tmp_path / "a.csv")
    write(make_frame(CICIOT2023_FEATURES_39, ["XSS"] * 4, "Label"), tmp_path / "b.csv")
    assert load_ciciot2023(tmp_path, max_rows=3)["label_fine"].tolist() == labels[:3]
    out = load_ciciot2023(tmp_path, max_rows=6)
    assert out["label_family"].tolist() == ["Recon"] * 4 + ["WebAttack"] * 2
    assert len(load_ciciot2023(tmp_path, max_rows=100)) == 8
    with pytest.raises(ValueError, match="max_rows must be at least 1"):
        load_ciciot2023(tmp_path, max_rows=0)


def test_non_finite_rows_are_dropped_with_a_warning(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_46, FINE)
    frame["Rate"] = frame["Rate"].astype(float)
    frame.loc[1, "Rate"] = np.inf
    frame.loc[3, "IAT"] = np.nan
    path = write(frame, tmp_path / "part.csv")
    with pytest.warns(UserWarning, match="dropped 2 of 5 CICIoT2023 row"):
        out = load_ciciot2023(path)
    assert out["label_fine"].tolist() == [FINE[0], FINE[2], FINE[4]]
    assert isinstance(out.index, pd.RangeIndex)
    assert np.isfinite(out[list(CICIOT2023_FEATURES_46)].to_numpy()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_ciciot2023(write(make_frame(CICIOT2023_FEATURES_46, FINE), path))


def test_label_family_mapping():
    labels = [
        "VulnerabilityScan",
        "SqlInjection",
        "CommandInjection",
        "BrowserHijacking",
        "Backdoor_Malware",
        "DictionaryBruteForce",
        "Uploading_Attack",
        "dos-syn_flood",
        "DDoS_SYN-Flood",
        "Mirai-greeth_flood",
        "DNS-Spoofing",
        "Web",
    ]
    expected = ["Recon", *["WebAttack"] * 3, "Malware", "BruteForce", "Uploading"]
    expected += ["DoS", "DDoS", "Mirai", "Spoofing", "WebAttack"]
    result = label_family(pd.Series(labels))
    assert isinstance(result, np.ndarray)
    assert result.tolist() == expected
    assert label_family(np.array([], dtype=object)).shape == (0,)


def test_label_family_unknown_lists_up_to_five():
    with pytest.raises(ValueError, match="unknown CICIoT2023 label") as info:
        label_family(["DDoS-ICMP_Flood", "u1", "u2", "u3", "u4", "u5", "u6", "u7"])
    message = str(info.value)
    assert "'u1', 'u2', 'u3', 'u4', 'u5' and 2 more" in message
    assert "\n" not in message


def test_unknown_label_in_file_names_the_file(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_46, ["DDoS-ICMP_Flood", "Gafgyt-scan"])
    with pytest.raises(ValueError, match=r"bad\.csv.*'Gafgyt-scan'"):
        load_ciciot2023(write(frame, tmp_path / "bad.csv"))


def test_nothing_matched(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no CICIoT2023 CSV files match .*xyz"):
        load_ciciot2023(tmp_path / "xyz")
    with pytest.raises(FileNotFoundError, match=r"match .*part-\*\.csv"):
        load_ciciot2023(str(tmp_path / "part-*.csv"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        load_ciciot2023(tmp_path / "empty")
    with pytest.raises(ValueError, match="paths is empty"):
        load_ciciot2023([])


def test_missing_columns_name_the_closest_layout(tmp_path):
    dropped = ["Srate", "Drate", "Magnitue"]
    features = [c for c in CICIOT2023_FEATURES_46 if c not in dropped]
    path = write(make_frame(features, FINE), tmp_path / "short.csv")
    with pytest.raises(ValueError, match="closest is 'original46'") as info:
        load_ciciot2023(path)
    message = str(info.value)
    assert "short.csv" in message
    assert "missing 3 column(s): 'Srate', 'Drate', 'Magnitue'" in message
    assert "\n" not in message

    features = [c for c in CICIOT2023_FEATURES_39 if c not in ("IGMP", "Min")]
    path = write(make_frame(features, FINE, "Label"), tmp_path / "short39.csv")
    with pytest.raises(ValueError, match=r"closest is 'merged39'.*: 'IGMP', 'Min'$"):
        load_ciciot2023(path)

    path = write(make_frame(["a", "b", "Rate"], FINE), tmp_path / "other.csv")
    with pytest.raises(ValueError, match=r"closest is 'merged39'.* and 30 more"):
        load_ciciot2023(path)


def test_columns_of_both_layouts_are_ambiguous(tmp_path):
    features = sorted({*CICIOT2023_FEATURES_39, *CICIOT2023_FEATURES_46})
    with pytest.raises(ValueError, match="columns of both CICIoT2023 layouts"):
        load_ciciot2023(write(make_frame(features, FINE), tmp_path / "both.csv"))


def test_no_label_column(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_39, FINE, "label_binary", extra=False)
    with pytest.raises(ValueError, match="no label column; expected one of 'label'"):
        load_ciciot2023(write(frame, tmp_path / "nolabel.csv"))


def test_mixed_layouts(tmp_path):
    write(make_frame(CICIOT2023_FEATURES_39, FINE, "Label"), tmp_path / "a.csv")
    write(make_frame(CICIOT2023_FEATURES_46, FINE), tmp_path / "b.csv")
    with pytest.raises(ValueError, match=r"mix CICIoT2023 layouts.*'merged39'.*46"):
        load_ciciot2023(tmp_path)


def test_empty_label_and_non_numeric_feature(tmp_path):
    frame = make_frame(CICIOT2023_FEATURES_46, FINE)
    frame.loc[2, "label"] = np.nan
    with pytest.raises(ValueError, match=r"1 row.* with an empty 'label'"):
        load_ciciot2023(write(frame, tmp_path / "a.csv"))
    frame = make_frame(CICIOT2023_FEATURES_46, FINE)
    frame["Rate"] = frame["Rate"].astype(object)
    frame.loc[0, "Rate"] = "fast"
    with pytest.raises(ValueError, match=r"cannot read .*a\.csv"):
        load_ciciot2023(write(frame, tmp_path / "a.csv"))


@pytest.mark.slow
def test_shared_sample(shared_data):
    frame = load_ciciot2023(shared_data)
    assert frame.shape == (15_404, 41)
    assert frame.attrs["layout"] == "merged39"
    assert list(frame.columns[:39]) == list(CICIOT2023_FEATURES_39)
    assert (frame.dtypes.iloc[:39] == np.float64).all()
    assert (frame["label_fine"] == frame["label_family"]).all()
    assert frame["label_family"].value_counts().to_dict() == {
        "Benign": 1600,
        "DDoS": 1601,
        "DoS": 1600,
        "Mirai": 1600,
        "Recon": 1600,
        "Spoofing": 1601,
        "WebAttack": 1600,
        "BruteForce": 1600,
        "Malware": 1600,
        "Uploading": 1002,
    }
    assert len(load_ciciot2023(shared_data, max_rows=500)) == 500
