"""``aims.client``: the Python SDK for ML pipelines. Sends evidence to an AIMS server; no Django.

Two lines from a pipeline::

    from aims.client import Client

    aims = Client("https://aims.example.org", token="aims_...")        # or AIMS_URL / AIMS_TOKEN
    aims.log_profile("retail-credit-scoring", scored_batch, target="y", prediction="pred",
                     score="score", sensitive=["sex"], model_version="2.0.0")

What each call sends:

* :meth:`Client.log_profile` profiles the data **locally** with :mod:`aims.evidence` (counts,
  fixed-edge histograms, confusion counts per group) and posts only the profile to
  ``/api/v1/profiles``: raw rows never leave the machine. ``role="reference"`` stores the baseline
  that drift monitors compare with. ``profile=`` posts a profile made earlier (or merged).
* :meth:`Client.log_evaluation` posts an evaluation of a model version to ``/api/v1/evaluations``
  (metrics, thresholds, results by group); with ``data=`` it computes performance and fairness
  locally first (:func:`aims.evidence.evaluate`).
* :meth:`Client.push_metric` / :meth:`Client.push_metrics` post metric points (latency, error
  rate, business figures) to ``/api/v1/metric-points``, in batches of up to 10,000.
* :meth:`Client.alerts` lists alerts, to stop a pipeline when something is critical.

Every call raises :class:`AimsError` for an answer other than 2xx, with the HTTP status, the
server's message and, for bad input (422), the fields it names. The token's organization and role
apply exactly as in the web UI (a token of a role that may not add evidence gets 403).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

__all__ = ["AimsError", "Client"]

MAX_POINTS = 10_000


class AimsError(Exception):
    """An error answer from AIMS: ``status`` (HTTP), ``detail`` and ``errors`` ([{field, messages}])."""

    def __init__(self, status: int, detail: str, errors: Sequence[Mapping[str, Any]] = ()) -> None:
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        fields = "; ".join(f"{e.get('field')}: {' '.join(e.get('messages', []))}" for e in self.errors)
        super().__init__(f"AIMS answered {status}: {detail}" + (f" ({fields})" if fields else ""))

    @property
    def fields(self) -> list[str]:
        """The names of the fields the server refused."""
        return [str(e.get("field")) for e in self.errors]


def _iso(value: dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def evaluation_fields(
    doc: Mapping[str, Any],
) -> tuple[dict[str, float], dict[str, dict[str, dict[str, float]]]]:
    """(metrics, fairness) of a stored evaluation from an :func:`aims.evidence.evaluate` document:
    every finite performance number, each disparity measure as ``fairness.<attribute>.<measure>``,
    and the per-group rates of the groups that are not suppressed. ``aims evaluate --push`` uses
    the same conversion."""
    metrics: dict[str, float] = {}
    fairness: dict[str, dict[str, dict[str, float]]] = {}
    for key, value in doc["performance"].items():
        if (number := _finite(value)) is not None:
            metrics[key] = number
    for attr, rep in (doc.get("fairness") or {}).items():
        for key, value in rep.items():
            if (number := _finite(value)) is not None and key not in (
                "n_groups",
                "min_group_size",
                "rows_missing_attribute",
            ):
                metrics[f"fairness.{attr}.{key}"] = number
        groups = {}
        for group, values in rep.get("groups", {}).items():
            rates = {k: n for k, v in values.items() if (n := _finite(v)) is not None and k != "suppressed"}
            if rates and not values.get("suppressed"):
                groups[str(group)] = rates
        if groups:
            fairness[attr] = groups
    return metrics, fairness


class Client:
    """A connection to one AIMS server with one API token.

    ``base_url`` and ``token`` default to the environment variables ``AIMS_URL`` and
    ``AIMS_TOKEN``. ``transport`` is passed to :class:`httpx.Client` (tests, proxies).
    Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        verify: bool | str = True,
    ) -> None:
        base_url = base_url or os.environ.get("AIMS_URL", "")
        token = token or os.environ.get("AIMS_TOKEN", "")
        if not base_url:
            raise ValueError("give the AIMS server's URL (or set AIMS_URL)")
        if not token:
            raise ValueError("give an API token (or set AIMS_TOKEN); create one with `aims token create`")
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url + "/api/v1",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "aims-client/1",
            },
            timeout=timeout,
            transport=transport,
            verify=verify,
        )

    # --- plumbing -----------------------------------------------------------------------------------

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self, method: str, path: str, *, json_body: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Call any endpoint under ``/api/v1`` and return the decoded JSON (None for 204)."""
        content = None
        headers = {}
        if json_body is not None:
            content = json.dumps(json_body, allow_nan=False, default=str).encode()
            headers["Content-Type"] = "application/json"
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._http.request(method, path, content=content, params=clean, headers=headers)
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = {"detail": response.text[:500]}
        if not 200 <= response.status_code < 300:
            detail = body.get("detail", "") if isinstance(body, dict) else str(body)
            errors = body.get("errors", []) if isinstance(body, dict) else []
            raise AimsError(response.status_code, str(detail), errors)
        return body

    # --- evidence -------------------------------------------------------------------------------------

    def log_profile(
        self,
        ai_system: str | int,
        data: Any = None,
        *,
        profile: Any = None,
        model_version: str | int | None = None,
        name: str = "",
        role: str = "batch",
        observed_at: dt.datetime | str | None = None,
        target: str | None = None,
        prediction: str | None = None,
        score: str | None = None,
        sensitive: Sequence[str] = (),
        positive_label: Any = None,
        columns: Sequence[str] | None = None,
        categorical: Sequence[str] = (),
        numeric: Sequence[str] = (),
        task: str = "auto",
        relative_accuracy: float = 0.001,
    ) -> dict[str, Any]:
        """Profile ``data`` locally (pandas or polars frame, arrow table, mapping of arrays, or a
        Parquet / CSV / Feather path) and store the profile for ``ai_system`` (slug or id).

        Give ``target`` and ``prediction`` (and ``score``, ``sensitive``) to measure performance and
        fairness; any columns are profiled for drift and data quality. Or pass ``profile=`` (an
        :class:`aims.evidence.Profile`, its document, or a ``.json`` / ``.json.gz`` file). Returns
        the stored profile with its measurements (``summary``)."""
        from aims import evidence

        if (data is None) == (profile is None):
            raise ValueError("give either data or profile=")
        if profile is None:
            prof = evidence.make_profile(
                data,
                columns=columns,
                target=target,
                prediction=prediction,
                score=score,
                sensitive=sensitive,
                positive_label=positive_label,
                task=task,
                categorical=categorical,
                numeric=numeric,
                relative_accuracy=relative_accuracy,
            )
        elif isinstance(profile, evidence.Profile):
            prof = profile
        else:
            prof = evidence.load_profile(profile)
        body = {
            "ai_system": ai_system,
            "model_version": model_version,
            "name": name,
            "role": role,
            "observed_at": _iso(observed_at),
            "profile": prof.to_dict(),
        }
        return self.request("POST", "/profiles", json_body=body)  # type: ignore[no-any-return]

    def log_evaluation(
        self,
        ai_system: str,
        model_version: str,
        *,
        metrics: Mapping[str, float] | None = None,
        thresholds: Mapping[str, Mapping[str, float]] | None = None,
        fairness: Mapping[str, Mapping[str, Mapping[str, float]]] | None = None,
        kind: str = "technical",
        title: str = "",
        conclusion: str = "",
        model: str | None = None,
        dataset_version_id: int | None = None,
        evaluated_at: dt.datetime | str | None = None,
        data: Any = None,
        target: str | None = None,
        prediction: str | None = None,
        score: str | None = None,
        sensitive: Sequence[str] = (),
        positive_label: Any = None,
        min_group_size: int = 30,
    ) -> dict[str, Any]:
        """Record an evaluation of ``model_version`` (its label, e.g. "2.0.0") of ``ai_system`` (slug).

        Give the numbers (``metrics``: name → value; ``fairness``: attribute → group → metric →
        value), or ``data`` with ``target`` and ``prediction`` to compute them here with
        :func:`aims.evidence.evaluate` (performance, per-group rates, and the disparity measures as
        ``fairness.<attribute>.<measure>`` metrics). ``thresholds`` (name → {"min": x} and/or
        {"max": y}) let AIMS judge pass or fail. Returns the stored evaluation."""
        metrics = dict(metrics or {})
        fairness = {a: {g: dict(v) for g, v in groups.items()} for a, groups in (fairness or {}).items()}
        if data is not None:
            if not (target and prediction):
                raise ValueError("data= needs target= and prediction=")
            from aims import evidence

            doc = evidence.evaluate(
                data,
                target=target,
                prediction=prediction,
                score=score,
                sensitive=list(sensitive),
                positive_label=positive_label,
                min_group_size=min_group_size,
            )
            computed, per_group = evaluation_fields(doc)
            for key, number in computed.items():
                metrics.setdefault(key, number)
            for attr, groups in per_group.items():
                fairness.setdefault(attr, groups)
        body: dict[str, Any] = {
            "ai_system": ai_system,
            "model_version": model_version,
            "model": model,
            "kind": kind,
            "title": title,
            "metrics": metrics,
            "thresholds": dict(thresholds or {}),
            "fairness": fairness,
            "conclusion": conclusion,
            "source": "pipeline",
            "dataset_version_id": dataset_version_id,
            "evaluated_at": _iso(evaluated_at),
        }
        return self.request(
            "POST", "/evaluations", json_body={k: v for k, v in body.items() if v is not None}
        )  # type: ignore[no-any-return]

    def push_metric(
        self,
        ai_system: str | int,
        name: str,
        value: float,
        *,
        observed_at: dt.datetime | str | None = None,
        sample_size: int | None = None,
        labels: Mapping[str, str] | None = None,
        model_version: str | int | None = None,
    ) -> dict[str, Any]:
        """Push one metric point, e.g. ``push_metric("chatbot", "latency_p95_ms", 840)``."""
        point = {
            "name": name,
            "value": value,
            "observed_at": _iso(observed_at),
            "sample_size": sample_size,
            "labels": dict(labels or {}),
        }
        return self.push_metrics(ai_system, [point], model_version=model_version)

    def push_metrics(
        self,
        ai_system: str | int,
        points: Iterable[Mapping[str, Any]],
        *,
        model_version: str | int | None = None,
    ) -> dict[str, Any]:
        """Push metric points (dicts with ``name``, ``value`` and optionally ``observed_at``,
        ``sample_size``, ``labels``), in requests of up to 10,000. Returns ``{"created": n}``."""
        created = 0
        batch: list[dict[str, Any]] = []

        def send() -> None:
            nonlocal created
            body = {"ai_system": ai_system, "model_version": model_version, "points": batch}
            created += self.request("POST", "/metric-points", json_body=body)["created"]

        for p in points:
            item = {k: v for k, v in dict(p).items() if v is not None}
            if "observed_at" in item:
                item["observed_at"] = _iso(item["observed_at"])
            batch.append(item)
            if len(batch) == MAX_POINTS:
                send()
                batch = []
        if batch:
            send()
        return {"created": created}

    # --- reading back -----------------------------------------------------------------------------------

    def alerts(
        self, ai_system: str | None = None, *, active: bool | None = True, severity: str | None = None
    ) -> list[dict[str, Any]]:
        """Alerts (by default the open or acknowledged ones), newest first."""
        params = {
            "ai_system": ai_system,
            "active": None if active is None else str(active).lower(),
            "severity": severity,
            "page_size": 500,
        }
        return self.request("GET", "/alerts", params=params)["items"]  # type: ignore[no-any-return]

    def profiles(self, ai_system: str | None = None, *, role: str | None = None) -> list[dict[str, Any]]:
        """Stored profiles (with their measurements, without the documents), newest first."""
        return self.request(
            "GET", "/profiles", params={"ai_system": ai_system, "role": role, "page_size": 500}
        )["items"]  # type: ignore[no-any-return]
