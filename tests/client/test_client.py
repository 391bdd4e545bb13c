"""The SDK end to end against a real AIMS server (pytest-django's aims_server: a real HTTP server in
a thread): a pipeline logs profiles, evaluations and metric points, and reads the alert back."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from aims.core import services as core
from aims.core.actors import Actor
from aims.monitoring import demo as monitoring_demo
from aims.monitoring import services
from aims.monitoring.models import EvidenceProfile, MetricPoint
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(org):
    return AISystemFactory(organization=org, name="Loan scoring", slug="loan-scoring")


def token(membership, read_only=False):
    return core.create_token(Actor.for_membership(membership, source="test"), read_only=read_only)[1]


@pytest.fixture
def client(aims_server, members, system):
    from aims.client import Client

    with Client(aims_server, token(members["technical_team"])) as c:
        yield c


def frame(n=400, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n)
    income = rng.normal(50 + shift, 10, n)
    y = (income + rng.normal(0, 8, n) > 50).astype(int)
    score = 1 / (1 + np.exp(-(income - 50) / 5))
    return {"y": y, "pred": (score > 0.5).astype(int), "score": score, "sex": sex, "income": income}


def test_the_client_module_does_not_import_django():
    code = "import sys, aims.client; assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_pipeline_logs_profiles_and_a_drift_monitor_raises_an_alert(
    client, actor, system, django_capture_on_commit_callbacks
):
    ref = client.log_profile(
        "loan-scoring",
        frame(seed=1),
        role="reference",
        target="y",
        prediction="pred",
        score="score",
        sensitive=["sex"],
    )
    assert ref["role"] == "reference" and ref["n_rows"] == 400
    services.create_monitor(
        actor("operational_team"),
        {
            "ai_system": "loan-scoring",
            "name": "income drift",
            "metric": "drift.income.psi",
            "warning_threshold": 0.1,
            "critical_threshold": 0.25,
            "window_hours": 0,
        },
    )
    ok = client.log_profile(
        "loan-scoring",
        frame(seed=2),
        target="y",
        prediction="pred",
        score="score",
        sensitive=["sex"],
        name="week 1",
    )
    assert ok["summary"]["drift"]["columns"]["income"]["psi"] < 0.1
    assert client.alerts("loan-scoring") == []
    with django_capture_on_commit_callbacks(execute=True):  # the server's "after commit": queue the monitors
        client.log_profile(
            "loan-scoring",
            frame(seed=3, shift=8),
            target="y",
            prediction="pred",
            score="score",
            sensitive=["sex"],
            name="week 2",
        )
    alerts = client.alerts("loan-scoring")
    assert len(alerts) == 1 and alerts[0]["severity"] == "critical" and alerts[0]["monitor"] == "income drift"
    stored = EvidenceProfile.objects.get(name="week 2")
    # No raw value travelled: the document has counts and histograms, not the 400 incomes.
    assert stored.document["columns"]["income"]["kind"] == "numeric"
    text = json.dumps(stored.document)
    inner = sorted(frame(seed=3, shift=8)["income"])[1:-1]  # min and max are kept, exactly; nothing else is
    assert not any(repr(float(v)) in text for v in inner)
    assert [p["name"] for p in client.profiles("loan-scoring")] == ["week 2", "week 1", ""]


def test_a_profile_made_earlier_or_merged_is_logged_as_is(client, tmp_path):
    from aims import evidence

    parts = [evidence.make_profile(frame(seed=s), target="y", prediction="pred") for s in range(3)]
    merged = evidence.merge_profiles(parts)
    merged.save(tmp_path / "merged.json.gz")
    stored = client.log_profile("loan-scoring", profile=tmp_path / "merged.json.gz", name="three batches")
    assert stored["n_rows"] == 1200
    assert client.log_profile("loan-scoring", profile=parts[0].to_dict())["n_rows"] == 400


def test_metric_points_are_pushed_in_one_call_or_many(client, system):
    assert client.push_metric(
        "loan-scoring", "latency_p95_ms", 840, sample_size=1200, labels={"region": "EU"}
    ) == {"created": 1}
    assert client.push_metrics(system.pk, [{"name": "error_rate", "value": 0.01 * i} for i in range(25)]) == {
        "created": 25
    }
    assert MetricPoint.objects.filter(name="error_rate").count() == 25
    assert MetricPoint.objects.get(name="latency_p95_ms").labels == {"region": "EU"}


def test_log_evaluation_computes_locally_and_posts_to_the_evaluations_api(client, actor, system):
    from aims.lifecycle import services as lifecycle
    from aims.lifecycle.models import Evaluation

    lifecycle.create_model_version(
        actor("technical_team"), {"ai_system": system, "name": "loan-logreg", "label": "1.0.0"}
    )
    body = client.log_evaluation(
        "loan-scoring",
        "1.0.0",
        data=frame(seed=4),
        target="y",
        prediction="pred",
        score="score",
        sensitive=["sex"],
        thresholds={"accuracy": {"min": 0.6}},
        title="hold-out",
    )
    ev = Evaluation.objects.get(pk=body["id"])
    assert ev.source == "pipeline" and ev.passed
    assert 0.6 < ev.metrics["accuracy"] <= 1 and "fairness.sex.demographic_parity_difference" in ev.metrics
    assert set(ev.fairness["sex"]) == {"female", "male"}


def test_errors_come_back_as_aims_errors_naming_the_field(client, aims_server, members, mallory):
    from aims.client import AimsError, Client

    with pytest.raises(AimsError) as bad:
        client.push_metrics("loan-scoring", [{"name": "ok", "value": 1}, {"name": "not ok!", "value": 2}])
    assert bad.value.status == 422 and bad.value.fields == ["points.1.name"]
    with pytest.raises(AimsError) as missing:
        client.log_profile("no-such-system", frame())
    assert missing.value.status == 422 and missing.value.fields == ["ai_system"]
    with Client(aims_server, token(members["external_auditor"])) as auditor:
        with pytest.raises(AimsError) as refused:
            auditor.push_metric("loan-scoring", "x", 1)
        assert refused.value.status == 403
        assert auditor.alerts() == []
    with Client(aims_server, token(mallory)) as outsider:
        with pytest.raises(AimsError) as hidden:
            outsider.log_profile("loan-scoring", frame())
        assert hidden.value.status == 422 and outsider.profiles() == []
    with Client(aims_server, "aims_not-a-token") as anonymous, pytest.raises(AimsError) as unauthenticated:
        anonymous.alerts()
    assert unauthenticated.value.status == 401


def test_the_client_needs_a_url_and_a_token(monkeypatch):
    from aims.client import Client

    monkeypatch.delenv("AIMS_URL", raising=False)
    monkeypatch.delenv("AIMS_TOKEN", raising=False)
    with pytest.raises(ValueError, match="URL"):
        Client()
    with pytest.raises(ValueError, match="token"):
        Client("http://localhost")


def test_the_demo_profiles_are_what_the_sdk_would_send():
    reference, batches = monitoring_demo.credit_profiles()
    assert reference.n_rows == 700 and [b.n_rows for b in batches] == [250] * 8
