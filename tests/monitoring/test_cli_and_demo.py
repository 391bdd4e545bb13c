"""`aims profile`, `aims monitor`, and the demo's monitoring content."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from aims import evidence
from aims.core.models import AuditEvent
from aims.monitoring import demo as monitoring_demo
from aims.monitoring import notify
from aims.monitoring.models import Alert, EvidenceProfile, Monitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_csv(tmp_path):
    path = tmp_path / "scored.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["y", "pred", "sex", "age"])
        for i in range(200):
            w.writerow([i % 2, (i // 2) % 2, "female" if i % 3 else "male", 20 + i % 50])
    return path


def test_aims_profile_writes_a_profile_that_evaluate_reads(scored_csv, tmp_path):
    out = tmp_path / "batch.profile.json.gz"
    stdout = io.StringIO()
    call_command(
        "profile",
        str(scored_csv),
        "-o",
        str(out),
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "sex",
        stdout=stdout,
    )
    assert "profiled 200 rows" in stdout.getvalue()
    prof = evidence.load_profile(out)
    assert prof.n_rows == 200 and prof.evaluation is not None
    assert (
        evidence.evaluate(prof, target="y", prediction="pred", sensitive=["sex"])["performance"]["accuracy"]
        == 0.5
    )


def test_aims_profile_push_stores_it_for_a_system(scored_csv, tmp_path, org, system):
    out = tmp_path / "ref.json"
    call_command(
        "profile",
        str(scored_csv),
        "-o",
        str(out),
        "--push",
        "loan-scoring",
        "--org",
        "acme",
        "--role",
        "reference",
        stdout=io.StringIO(),
    )
    stored = EvidenceProfile.objects.get()
    assert stored.role == "reference" and stored.n_rows == 200
    assert AuditEvent.objects.filter(object_type="evidence_profile").latest("pk").source == "cli"
    with pytest.raises(CommandError, match="ai_system"):
        call_command(
            "profile",
            str(scored_csv),
            "-o",
            str(out),
            "--push",
            "nope",
            "--org",
            "acme",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="missing"):
        call_command("profile", str(tmp_path / "missing.csv"), "-o", str(out), stdout=io.StringIO())


def test_aims_monitor_evaluate_and_tick(org, system):
    out = io.StringIO()
    call_command("monitor", "evaluate", "--org", "acme", stdout=out)
    assert "no active monitor" in out.getvalue()
    out = io.StringIO()
    call_command("monitor", "tick", stdout=out)
    assert "monitoring.evaluate_all_monitors" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("monitor", "evaluate", "--org", "nope", stdout=io.StringIO())


def test_the_demo_feeds_the_credit_model_and_one_breach_raises_an_alert(
    django_capture_on_commit_callbacks, monkeypatch
):
    from aims.core import demo
    from aims.risk.models import Risk

    receivers = []  # the demo's own receiver, kept to look at what it received (a spy, not a mock)
    listen = monitoring_demo._listen
    monkeypatch.setattr(
        monitoring_demo, "_listen", lambda secret: receivers.append(listen(secret)) or receivers[-1]
    )
    with django_capture_on_commit_callbacks(execute=False):
        result = demo.load()
    org = result.organization
    monitors = {m.name: m for m in Monitor.objects.filter(organization=org)}
    assert len(monitors) == 6
    assert monitors["Scoring latency anomalies"].anomaly_method == "robust_z"
    assert EvidenceProfile.objects.filter(organization=org, role="batch").count() == 8
    drift = monitors["Credit amount drift (PSI)"]
    assert drift.last_status == "critical"
    assert {m.last_status for n, m in monitors.items() if n != drift.name} == {"ok"}
    alert = Alert.objects.get(organization=org)
    assert alert.severity == "critical" and alert.monitor == drift
    by_kind = {n.channel.kind: n for n in alert.notifications.select_related("channel")}
    assert set(by_kind) == {"email", "webhook"}
    # The webhook went over HTTP to the demo's receiver, which verified its signature and said so.
    hook = by_kind["webhook"]
    assert hook.status == "sent" and hook.attempts == 1 and hook.response_code == 200
    assert json.loads(hook.response_body) == {"verified": True, "delivery": hook.pk, "event": "alert.opened"}
    assert hook.signature.startswith("sha256=") and hook.last_error == ""
    [receiver] = receivers
    assert [(r.verified, r.status, r.delivery, r.severity) for r in receiver.received] == [
        (True, 200, str(hook.pk), "critical")
    ]
    # The receiver is gone: the channel is off and points at `aims webhook-receiver`'s address.
    channel = hook.channel
    assert not channel.active and channel.target == monitoring_demo.WEBHOOK_URL
    assert "demo" in channel.description and channel.monitors.get() == drift
    with pytest.raises(httpx.ConnectError):
        httpx.post(receiver.url, content=b"{}")
    switched = AuditEvent.objects.filter(object_type="notification_channel", object_id=str(channel.pk))
    assert [e.action for e in switched.order_by("pk")] == ["create", "update", "update"]
    assert all(e.actor_id == result.people["ai_manager"].pk for e in switched)
    # The e-mail waits for the worker; the webhook's queued task finds it sent and sends nothing more.
    assert by_kind["email"].status == "pending"
    assert notify.deliver(hook.pk).attempts == 1 and len(receiver.received) == 1
    assert notify.deliver(by_kind["email"].pk).status == "sent" and len(mail.outbox) == 1
    credit_risks = Risk.objects.filter(organization=org, ai_systems__slug="retail-credit-scoring").exclude(
        status="closed"
    )
    assert credit_risks.exists() and all(r.review_due for r in credit_risks)
    # Loading again writes nothing.
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        demo.load()
    assert AuditEvent.objects.count() == before
    assert Alert.objects.filter(organization=org).count() == 1
