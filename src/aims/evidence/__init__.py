"""``aims.evidence``: the numeric evidence engine of AIMS (numpy and scipy; no Django).

Measures what ISO/IEC 42001 asks to be measured about an AI system, from its data and outputs:

* performance: :func:`classification_report`, :func:`regression_report`;
* fairness (fairlearn's definitions and names): :func:`fairness_report` and the drop-in functions
  :func:`demographic_parity_difference`, :func:`equalized_odds_difference`, ...;
* drift: :func:`drift` (files, frames or profiles) / :func:`drift_report`, and the statistics
  :func:`ks_2samp`, :func:`psi`, :func:`jensen_shannon_distance`, :func:`wasserstein_distance`,
  :func:`chi2_homogeneity`;
* data quality: :func:`infer_schema`, :func:`check_quality`;
* robustness: :func:`robustness_report` with :class:`GaussianNoise`, :class:`FeatureShuffle`,
  :class:`MissingValues`, :class:`CategoryFlip`;
* anomalies on a metric's time series: :func:`detect_anomaly` (robust z-score, EWMA chart);
* mergeable profiles: :func:`make_profile`, :func:`merge_profiles`, :func:`load_profile`;
* one-call documents: :func:`evaluate`, :func:`drift`, rendered by :func:`render` (JSON, text, HTML).

Definitions, thresholds and the JSON shapes are documented in ``docs/evidence.md``.

    >>> from aims import evidence
    >>> doc = evidence.evaluate("scored.parquet", target="y", prediction="pred", score="score",
    ...                         sensitive=["sex", "age_band"])           # doctest: +SKIP
    >>> doc["fairness"]["sex"]["demographic_parity_difference"]          # doctest: +SKIP
"""

from .anomaly import detect as detect_anomaly
from .drift import (
    DEFAULT_THRESHOLDS,
    DriftThresholds,
    chi2_homogeneity,
    drift_report,
    jensen_shannon_distance,
    ks_2samp,
    psi,
    wasserstein_distance,
)
from .drift import STATISTICS as DRIFT_STATISTICS
from .fairness import (
    demographic_parity_difference,
    demographic_parity_ratio,
    disparate_impact_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    fairness_report,
)
from .io import EvidenceInputError, MissingColumnError, read_table
from .performance import classification_report, regression_report, roc_auc_score
from .profile import Profile, load_profile, make_profile, merge_profiles
from .quality import Schema, check_quality, infer_schema
from .report import drift, evaluate, render, to_json
from .robustness import CategoryFlip, FeatureShuffle, GaussianNoise, MissingValues, robustness_report

__all__ = [
    "DEFAULT_THRESHOLDS",
    "DRIFT_STATISTICS",
    "CategoryFlip",
    "DriftThresholds",
    "EvidenceInputError",
    "FeatureShuffle",
    "GaussianNoise",
    "MissingColumnError",
    "MissingValues",
    "Profile",
    "Schema",
    "check_quality",
    "chi2_homogeneity",
    "classification_report",
    "demographic_parity_difference",
    "detect_anomaly",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "drift",
    "drift_report",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "evaluate",
    "fairness_report",
    "infer_schema",
    "jensen_shannon_distance",
    "ks_2samp",
    "load_profile",
    "make_profile",
    "merge_profiles",
    "psi",
    "read_table",
    "regression_report",
    "render",
    "robustness_report",
    "roc_auc_score",
    "to_json",
    "wasserstein_distance",
]
