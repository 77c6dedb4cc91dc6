"""LDMOverSampler on real CICIoT2023 rows: generation that is not garbage.

Reads ``../shared/data/ciciot2023_sample.csv.gz`` (present in CI, where a missing
file fails the test; outside CI the test is skipped when the file is absent).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wasserstein_distance
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer

from ldm_oversample import LDMOverSampler

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spoofing_task(shared_data):
    frame = pd.read_csv(shared_data)
    frame = frame[frame["label_multiclass"].isin(["Benign", "Spoofing"])]
    y = (frame["label_multiclass"] == "Spoofing").to_numpy().astype(int)
    X = frame.drop(columns=["label_multiclass", "label_binary"]).reset_index(drop=True)
    return X, y


def test_synthetic_spoofing_rows_look_like_spoofing(spoofing_task):
    X, y = spoofing_task
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    rng = np.random.default_rng(0)
    benign, attack = np.flatnonzero(y_tr == 0), np.flatnonzero(y_tr == 1)
    keep = np.r_[benign, rng.choice(attack, len(benign) // 10, replace=False)]
    sampler = LDMOverSampler(random_state=0).fit(X_tr.iloc[keep], y_tr[keep])
    synthetic = sampler.sample(600, class_label=1)

    assert list(synthetic.columns) == list(X.columns)
    assert np.isfinite(synthetic.to_numpy()).all()
    # A forest trained on all real rows calls most synthetic Spoofing rows Spoofing
    # and few synthetic Benign rows: at max_epochs=40, 0.55-0.58 against
    # 0.20-0.29 over the sampler seeds 0-2 (at the earlier max_epochs=100,
    # 0.51-0.56 against 0.21). A sampler that ignored the class would give both
    # the same share.
    forest = RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=-1)
    forest.fit(X, y)
    share_spoofing = forest.predict(synthetic).mean()
    share_benign = forest.predict(sampler.sample(600, class_label=0)).mean()
    assert share_spoofing > 0.5, share_spoofing
    assert share_benign < 0.35, share_benign
    assert share_spoofing - share_benign > 0.2, (share_spoofing, share_benign)

    # Per feature, synthetic rows sit closer to held-out Spoofing than to Benign.
    qt = QuantileTransformer(output_distribution="normal", n_quantiles=1000).fit(X)
    syn, spoof, ben = (
        qt.transform(t) for t in (synthetic, X_te[y_te == 1], X_te[y_te == 0])
    )
    varying = [j for j in range(X.shape[1]) if np.ptp(X.iloc[:, j]) > 0]
    to_spoof = np.array([wasserstein_distance(syn[:, j], spoof[:, j]) for j in varying])
    to_benign = np.array([wasserstein_distance(syn[:, j], ben[:, j]) for j in varying])
    # With spread_ties (the default since the utility issue) the rows come
    # closer to both classes in this sklearn quantile space, whose point masses
    # sit at -5.2: 0.268 to Spoofing vs 0.331 to Benign at seed 0 (0.274 vs
    # 0.481 with spread_ties=False). Validation F1 was level (ldm_levers.md);
    # why the rows moved towards Benign here is open.
    assert to_spoof.mean() < 0.85 * to_benign.mean(), (
        to_spoof.mean(),
        to_benign.mean(),
    )
    # 0.59 of the features at the defaults (0.68 before spread_ties, 0.7+ at
    # the slower first-release defaults); columns of independent noise would
    # give about half.
    assert np.mean(to_spoof <= to_benign) > 0.55
