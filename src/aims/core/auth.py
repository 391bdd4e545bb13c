"""Log in with an e-mail address; failed logins throttled per account and per address.

Failures are rows in the database, so the limit holds across every web process and worker
(ASVS 6.3.1). A throttled attempt is refused before the password is even checked, and the
answer is the same whether or not the account exists (no user enumeration)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginFailure, User


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def is_throttled(email: str, address: str) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.AIMS_LOGIN_FAILURE_WINDOW)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.AIMS_LOGIN_FAILURE_LIMIT
    if email and recent.filter(email=email.lower()).count() >= limit:
        return True
    # An address gets more room than an account: several people may share one (offices, NAT).
    return bool(address) and recent.filter(address=address).count() >= limit * 4


def note_failure(email: str, address: str) -> None:
    LoginFailure.objects.create(email=(email or "").lower()[:254], address=address)


def clear_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email.lower()).delete()


class EmailBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or not password:
            return None
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing difference
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
