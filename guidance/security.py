"""The security log: failed logins and denied access, never a password or a case's contents."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

log = logging.getLogger("netadvisor.security")


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown") if request is not None else "unknown"


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; log the username only.
    log.warning(
        "Failed login for username %r from %s", credentials.get("username"), client_address(request)
    )


@receiver(user_locked_out)
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    log.warning("Login locked out for username %r from %s", username, ip_address)


def access_denied(request, what: str) -> None:
    user = getattr(request, "user", None)
    log.warning(
        "Denied access to %s for user id %s from %s",
        what,
        getattr(user, "pk", None),
        client_address(request),
    )
