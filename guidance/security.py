"""The security log and login throttling: never a password, a typed username or a case's contents.

A clinician whose cursor was in the wrong box types a password as the username, so a
failed login's username is never written down as typed: the log names the account by its
id when the name is an account's, and otherwise by a short keyed hash. django-axes keys its
lock-out records on the same hash (``AXES_USERNAME_CALLABLE``), which is deterministic, so
locking a username out works as before.

Behind the proxy (``BEHIND_PROXY``), the client's address is the one the outermost trusted
proxy saw, read from ``X-Forwarded-For`` by django-ipware; otherwise the header is ignored.
Axes (``AXES_CLIENT_IP_CALLABLE``) and this log use the same address.
"""

from __future__ import annotations

import logging

import axes.utils
from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Sum
from django.dispatch import receiver
from django.utils.crypto import salted_hmac
from ipware import get_client_ip

log = logging.getLogger("netadvisor.security")

USERNAME_KEY_SALT = "netadvisor.security.username_key"
# 64 bits: enough that two names sharing a key (and so a lock-out) will not happen.
USERNAME_KEY_LENGTH = 16


def username_key(username: str | None) -> str:
    """A short keyed hash of a typed username: the same for the same name, unreadable without
    the SECRET_KEY."""
    digest = salted_hmac(USERNAME_KEY_SALT, username or "", algorithm="sha256").hexdigest()
    return digest[:USERNAME_KEY_LENGTH]


def client_address(request) -> str | None:
    """The client's address: from X-Forwarded-For only behind the documented proxy.

    None when there is none to be had (a request made in code, not by a browser).
    """
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        # Each trusted proxy appends the address it saw, so the client is the entry the
        # outermost one wrote: TRUSTED_PROXY_COUNT from the right. Entries further left came
        # from the client and are not believed. django-ipware counts the proxies after the
        # client in the header, which is one fewer; not strict, so forged entries on the
        # left do not make the header unreadable.
        address, _ = get_client_ip(
            request,
            proxy_count=settings.TRUSTED_PROXY_COUNT - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR") or None


def where(request) -> str:
    """The client's address as the log gives it."""
    return client_address(request) or "unknown"


def lockout_username(request, credentials: dict | None) -> str | None:
    """What axes records and locks on instead of the typed username (AXES_USERNAME_CALLABLE)."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    return None if typed is None else username_key(typed)


def failure_limit(request, credentials: dict | None) -> int:
    """Failures before a lock-out (AXES_FAILURE_LIMIT): few for one username from one address,
    more for one address across usernames (password spraying).

    Axes counts the failures for each lock-out parameter (username and address, then the
    address alone) and compares the larger count with one limit. The address's count is never
    below the username-and-address count, so the limit is the per-username one once that
    count has reached it, and the per-address one until then.
    """
    account, _address = (
        attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
        for attempts in AxesProxyHandler.get_implementation().get_user_attempts(
            request, credentials
        )
    )
    if account >= settings.LOGIN_FAILURES_PER_ACCOUNT:
        return settings.LOGIN_FAILURES_PER_ACCOUNT
    return settings.LOGIN_FAILURES_PER_ADDRESS


def account_id(username: str | None) -> int | None:
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).values_list(
        "pk", flat=True
    ).first()


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; the username is not logged.
    typed = credentials.get("username")
    user_id = account_id(typed)
    if user_id is not None:
        who = f"user id {user_id} (username key {username_key(typed)})"
    else:
        who = f"an unknown username (key {username_key(typed)})"
    log.warning("Failed login for %s from %s", who, where(request))


@receiver(user_locked_out)
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # `username` is already the key (lockout_username).
    log.warning("Login locked out for username key %s from %s", username, ip_address or "unknown")


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs) -> None:
    address = client_address(request)
    log.info("Login by user id %s from %s", user.pk, address or "unknown")
    if settings.AXES_ENABLED and address is not None:
        # Only this username's failures from this address are forgiven. Axes' own reset on
        # success would clear every failure from the address, so one clinician logging in
        # would reset the count of somebody trying many usernames from the same address.
        axes.utils.reset(ip=address, username=username_key(user.get_username()))


def access_denied(request, what: str) -> None:
    user = getattr(request, "user", None)
    log.warning(
        "Denied access to %s for user id %s from %s",
        what,
        getattr(user, "pk", None),
        where(request),
    )


def case_deleted(request, case_id: int) -> None:
    log.info(
        "Case %s deleted by user id %s from %s", case_id, request.user.pk, where(request)
    )
