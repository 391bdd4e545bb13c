"""Two-factor authentication with an authenticator app (TOTP, RFC 6238) and single-use recovery
codes. Organizations choose whether it is optional, required for privileged roles, or for all."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import AuditEvent, Membership, MfaDevice, RecoveryCode, User
from .roles import Role

PRIVILEGED = {Role.ORG_ADMIN, Role.AI_MANAGER, Role.TOP_MANAGEMENT, Role.CIO_CDO}
ISSUER = "AIMS"
RECOVERY_CODES = 10


def _fernet() -> Fernet:
    key = hashlib.sha256(("aims-mfa:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def required_for(user: User) -> bool:
    """True when any of the user's organizations requires a second factor for their role there."""
    for m in Membership.objects.filter(user=user).select_related("organization"):
        policy = m.organization.mfa_policy
        if policy == "all" or (policy == "privileged" and m.role in PRIVILEGED):
            return True
    return False


def has_device(user: User) -> bool:
    return MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_enrolment(user: User) -> tuple[str, str]:
    """A new secret for the user to scan: (secret for manual entry, SVG data URI of the QR code).
    Nothing is stored: the caller keeps the secret in the session until a code confirms it, so
    merely opening the set-up page (a GET) never changes or disables an existing device."""
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return secret, segno.make(uri, error="m").svg_data_uri(scale=5)


def qr_for(user: User, secret: str) -> str:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _secret(device: MfaDevice) -> str | None:
    try:
        return _fernet().decrypt(device.secret_encrypted.encode()).decode()
    except InvalidToken:
        return None


def verify_code(user: User, code: str) -> bool:
    """Check a 6-digit code (±1 time step for clock drift); each step is accepted once."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    with transaction.atomic():
        device = MfaDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is None:
            return False
        secret = _secret(device)
        if secret is None:
            return False
        totp = pyotp.TOTP(secret)
        now_step = int(time.time()) // totp.interval
        for step in (now_step - 1, now_step, now_step + 1):
            if step > device.last_used_step and secrets.compare_digest(totp.at(step * totp.interval), code):
                device.last_used_step = step
                device.save(update_fields=["last_used_step"])
                return True
    return False


def confirm_enrolment(user: User, code: str, secret: str) -> list[str] | None:
    """Store the device once a first code from it is right; returns fresh recovery codes (shown
    once) or None."""
    code = (code or "").strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    step = next(
        (
            s
            for s in (now_step - 1, now_step, now_step + 1)
            if code.isdigit() and secrets.compare_digest(totp.at(s * totp.interval), code)
        ),
        None,
    )
    if step is None:
        return None
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        MfaDevice.objects.update_or_create(
            user=user,
            defaults={
                "secret_encrypted": _fernet().encrypt(secret.encode()).decode(),
                "confirmed_at": timezone.now(),
                "last_used_step": step,
            },
        )
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes)
        audit.record(
            None,
            AuditEvent.Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"two_factor": [False, True]},
        )
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    with transaction.atomic():
        found = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_hash_code(code), used_at__isnull=True)
            .first()
        )
        if found is None:
            return False
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
        audit.record(
            None,
            AuditEvent.Action.LOGIN,
            object_type="user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"recovery_code_used": [None, True]},
        )
    return True


def disable(user: User) -> None:
    with transaction.atomic():
        MfaDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(
            None,
            AuditEvent.Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"two_factor": [True, False]},
        )
