"""Model performance: classification (binary and multiclass) and regression metrics.

Definitions are scikit-learn's (``accuracy_score``, ``precision_score``, ``recall_score``,
``f1_score``, ``roc_auc_score``, ``mean_absolute_error``, ``r2_score`` ...), computed from one
``np.bincount`` confusion matrix and, for ROC AUC, one sort of the scores. The tests check agreement
with scikit-learn to 1e-12 or better.

One deliberate difference: a metric whose denominator is zero (precision when nothing is predicted
positive, recall when the class never occurs, R² of a constant target) is *undefined* and returned as
``nan`` (``null`` in JSON), as scikit-learn does with ``zero_division=np.nan`` /
``force_finite=False``. scikit-learn's default silently returns 0.0 (or 1.0), which reads as a real
measurement in an audit. (For R² of a constant target scikit-learn's ``force_finite=False`` gives
``-inf``; AIMS says ``nan`` as well.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .io import EvidenceInputError, to_categorical, to_numeric, unify

__all__ = [
    "Labels",
    "binary_metrics",
    "classification_report",
    "confusion_matrix",
    "encode_labels",
    "multiclass_metrics",
    "regression_report",
    "roc_auc_score",
]

Task = Literal["auto", "binary", "multiclass"]


@dataclass(frozen=True)
class Labels:
    """True and predicted labels as integer codes over ``classes``.

    For a binary task ``classes`` is ``[negative, positive]``, so code 1 is the positive label and
    the codes can be used directly as 0/1 indicators.
    """

    true: np.ndarray
    pred: np.ndarray
    classes: list[Any]
    task: Literal["binary", "multiclass"]
    pos_label: Any | None

    @property
    def n_classes(self) -> int:
        """Number of classes (2 for a binary task, even if only one occurs)."""
        return len(self.classes)


def _match_label(wanted: Any, classes: list[Any]) -> Any:
    """``wanted`` as it appears among ``classes``; a string from the command line matches ``1``."""
    for same_type in (True, False):
        for c in classes:
            if c == wanted and (type(c) is type(wanted) or not same_type):
                return c
    for c in classes:
        if str(c).lower() == str(wanted).lower():
            return c
    raise EvidenceInputError(
        f"positive label {wanted!r} does not occur in the labels (seen: {', '.join(map(repr, classes))})"
    )


def _like(value: Any, classes: list[Any]) -> Any:
    """A command-line string as the type of the other labels ("1" -> 1 when labels are integers)."""
    if (
        isinstance(value, str)
        and classes
        and all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
    ):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _infer_positive(classes: list[Any]) -> Any | None:
    """The positive label when the labels are {0, 1}, {-1, 1} or {False, True} (fairlearn's rule)."""
    values = set(classes)
    if values <= {0, 1} or values <= {-1, 1}:
        return True if any(isinstance(c, bool) for c in classes) else 1
    return None


def encode_labels(y_true: Any, y_pred: Any, *, pos_label: Any = None, task: Task = "auto") -> Labels:
    """Encode true and predicted labels on a shared set of classes.

    Binary when at most two labels occur (or ``task="binary"``); the positive label is
    ``pos_label`` or, for {0, 1} / {-1, 1} / {False, True} labels, 1. Two other labels (say "good"
    and "bad") need ``pos_label``. Missing labels are an error: drop those rows first.
    """
    t = to_categorical(y_true)
    p = to_categorical(y_pred)
    if len(t) != len(p):
        raise EvidenceInputError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
    for name, col in (("y_true", t), ("y_pred", p)):
        if col.n_missing:
            raise EvidenceInputError(f"{name} has {col.n_missing} missing values; drop those rows first")
    true, pred, classes = unify(t, p)
    binary = task == "binary" or (task == "auto" and len(classes) <= 2)
    if not binary:
        positive = None if pos_label is None else _match_label(pos_label, classes)
        return Labels(true, pred, classes, "multiclass", positive)
    if len(classes) > 2:
        raise EvidenceInputError(f"task is binary but {len(classes)} labels occur: {classes[:10]}")
    if pos_label is None:
        positive = _infer_positive(classes)
    elif len(classes) < 2 and not any(c == pos_label or str(c) == str(pos_label) for c in classes):
        # The positive class simply did not occur (all rows negative): legal, and common in small groups.
        positive = _like(pos_label, classes)
    else:
        positive = _match_label(pos_label, classes)
    if positive is None:
        raise EvidenceInputError(
            f"cannot tell which label is positive among {classes}; pass the positive label "
            "(--positive-label on the command line)"
        )
    others = [c for c in classes if not c == positive]
    if others:
        negative = others[0]
    else:  # only the positive label occurs: name the negative one by convention
        negative = False if isinstance(positive, bool) else (0 if positive == 1 else None)
    if positive not in classes:
        classes = [*classes, positive]
    pos_index = classes.index(positive)
    # Re-code to 0/1 with 1 = positive: comparisons against a scalar are cheap and exact.
    true01 = (true == pos_index).astype(np.int64)
    pred01 = (pred == pos_index).astype(np.int64)
    return Labels(true01, pred01, [negative, positive], "binary", positive)


def confusion_matrix(true: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """The ``n_classes × n_classes`` confusion matrix of integer codes (rows: true, columns: predicted)."""
    cm = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return cm.reshape(n_classes, n_classes).astype(np.int64)


def _div(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def binary_metrics(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """Every binary metric that is a function of the confusion counts.

    ``selection_rate`` is the share predicted positive (fairlearn's name); ``prevalence`` the share
    truly positive.
    """
    n = tn + fp + fn + tp
    precision = _div(tp, tp + fp)
    recall = _div(tp, tp + fn)
    f1 = _div(2 * tp, 2 * tp + fp + fn)  # the same number as 2PR/(P+R), with no 0/0 when P = R = 0
    tnr = _div(tn, tn + fp)
    return {
        "accuracy": _div(tp + tn, n),
        "balanced_accuracy": float(np.nanmean([recall, tnr]))
        if not (np.isnan(recall) and np.isnan(tnr))
        else float("nan"),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_positive_rate": recall,
        "true_negative_rate": tnr,
        "false_positive_rate": _div(fp, fp + tn),
        "false_negative_rate": _div(fn, fn + tp),
        "selection_rate": _div(tp + fp, n),
        "prevalence": _div(tp + fn, n),
    }


def roc_auc_score(y_true01: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve: the probability that a random positive outscores a random negative.

    Ties count one half (the Mann–Whitney form), which is exactly the trapezoidal area scikit-learn
    computes. Positives and negatives are sorted once each; for every positive one binary search
    counts the negatives below it and those tied with it. The sums are exact integers, so the only
    rounding is the final division. ``nan`` when only one class occurs.
    """
    score = np.asarray(y_score, dtype=np.float64)
    if np.isnan(score).any():
        raise EvidenceInputError(f"scores contain {int(np.isnan(score).sum())} missing values")
    positive = np.asarray(y_true01).astype(bool)
    pos = np.sort(score[positive])
    neg = np.sort(score[~positive])
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    below = np.searchsorted(neg, pos, side="left").sum(dtype=np.int64)
    below_or_tied = np.searchsorted(neg, pos, side="right").sum(dtype=np.int64)
    # AUC = (below + tied/2) / (n1 n0) = (below + below_or_tied) / (2 n1 n0)
    return float(int(below) + int(below_or_tied)) / (2.0 * pos.size * neg.size)


def multiclass_metrics(cm: np.ndarray, classes: list[Any]) -> dict[str, Any]:
    """Per-class and averaged metrics from a confusion matrix.

    Macro averages ignore classes where the metric is undefined, as scikit-learn does with
    ``zero_division=np.nan``; weighted averages weight by support (true count).
    """
    cm = cm.astype(np.float64)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    n = cm.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, np.nan)
        recall = np.where(support > 0, tp / support, np.nan)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), np.nan)
        fp = predicted - tp
        fn = support - tp
        tn = n - tp - fp - fn
        fpr = np.where(fp + tn > 0, fp / (fp + tn), np.nan)
        fnr = np.where(support > 0, fn / support, np.nan)

    def macro(values: np.ndarray) -> float:
        ok = ~np.isnan(values)
        return float(values[ok].mean()) if ok.any() else float("nan")

    def weighted(values: np.ndarray) -> float:
        ok = ~np.isnan(values) & (support > 0)
        return float(np.average(values[ok], weights=support[ok])) if ok.any() else float("nan")

    return {
        "accuracy": _div(tp.sum(), n),
        "balanced_accuracy": macro(recall),
        "precision_macro": macro(precision),
        "recall_macro": macro(recall),
        "f1_macro": macro(f1),
        "precision_weighted": weighted(precision),
        "recall_weighted": weighted(recall),
        "f1_weighted": weighted(f1),
        "false_positive_rate_macro": macro(fpr),
        "false_negative_rate_macro": macro(fnr),
        "per_class": {
            str(c): {
                "support": int(support[i]),
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "false_positive_rate": float(fpr[i]),
                "false_negative_rate": float(fnr[i]),
            }
            for i, c in enumerate(classes)
        },
    }


def _score_matrix(y_score: Any, n_rows: int) -> np.ndarray:
    if hasattr(y_score, "to_numpy"):
        y_score = y_score.to_numpy()
    arr = np.asarray(y_score, dtype=np.float64)
    if arr.shape[0] != n_rows:
        raise EvidenceInputError(f"y_score has {arr.shape[0]} rows but the labels have {n_rows}")
    return arr


def classification_report(
    y_true: Any,
    y_pred: Any,
    y_score: Any = None,
    *,
    pos_label: Any = None,
    task: Task = "auto",
    labels: Labels | None = None,
) -> dict[str, Any]:
    """Performance of a classifier.

    Binary: accuracy, balanced accuracy, precision, recall, F1, TPR/TNR/FPR/FNR, selection rate,
    prevalence, ROC AUC (when ``y_score``, the score of the positive class, is given) and the
    confusion matrix. Multiclass: accuracy, macro and weighted precision / recall / F1, macro FPR /
    FNR, per-class metrics, one-vs-rest macro ROC AUC when ``y_score`` is an ``n × k`` matrix whose
    columns follow the sorted class labels (scikit-learn's ``multi_class="ovr"``).
    """
    if labels is None:
        labels = encode_labels(y_true, y_pred, pos_label=pos_label, task=task)
    k = labels.n_classes
    cm = confusion_matrix(labels.true, labels.pred, k)
    out: dict[str, Any] = {"task": labels.task, "n": int(len(labels.true))}
    if labels.task == "binary":
        (tn, fp), (fn, tp) = cm.tolist()
        out.update(binary_metrics(tn, fp, fn, tp))
        out["positive_label"] = labels.pos_label
        if y_score is not None:
            score = _score_matrix(y_score, len(labels.true))
            if score.ndim == 2:
                score = score[:, -1]  # predict_proba layout: the last column is the positive class
            out["roc_auc"] = roc_auc_score(labels.true, score)
    else:
        out.update(multiclass_metrics(cm, labels.classes))
        if y_score is not None:
            score = _score_matrix(y_score, len(labels.true))
            if score.ndim != 2 or score.shape[1] != k:
                raise EvidenceInputError(
                    f"multiclass ROC AUC needs one score column per class ({k}), got shape {score.shape}"
                )
            per_class = [roc_auc_score(labels.true == i, score[:, i]) for i in range(k)]
            defined = [a for a in per_class if not np.isnan(a)]
            out["roc_auc_ovr_macro"] = float(np.mean(defined)) if defined else float("nan")
    out["confusion_matrix"] = {"labels": list(labels.classes), "matrix": cm.tolist()}
    return out


def regression_report(y_true: Any, y_pred: Any) -> dict[str, float | int]:
    """MAE, MSE, RMSE, R² (scikit-learn's definitions), mean error (bias) and maximum absolute error.

    R² is ``nan`` for a constant target, where it is undefined (scikit-learn returns 0.0 by default,
    ``-inf`` or ``nan`` with ``force_finite=False``).
    """
    t, bad_t = to_numeric(y_true, name="y_true")
    p, bad_p = to_numeric(y_pred, name="y_pred")
    if len(t) != len(p):
        raise EvidenceInputError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
    missing = int(np.count_nonzero(np.isnan(t) | np.isnan(p)))
    if missing or bad_t or bad_p:
        raise EvidenceInputError(f"{missing} rows have a missing or non-numeric target or prediction")
    err = p - t
    n = len(t)
    if n == 0:
        raise EvidenceInputError("no rows to evaluate")
    sse = float(np.dot(err, err))
    centred = t - t.mean()
    sst = float(np.dot(centred, centred))
    return {
        "task": "regression",  # type: ignore[dict-item]
        "n": n,
        "mae": float(np.abs(err).mean()),
        "mse": sse / n,
        "rmse": float(np.sqrt(sse / n)),
        "r2": 1.0 - sse / sst if sst > 0 else float("nan"),
        "mean_error": float(err.mean()),
        "max_abs_error": float(np.abs(err).max()),
    }
