"""Ends a clinician's session after a spell without any request, and a working day after login."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils import timezone

security_log = logging.getLogger("netadvisor.security")

LAST_SEEN = "last_seen"
LOGGED_IN_AT = "logged_in_at"
# Record activity at most this often, so that reading pages does not write the session
# on every request.
RESOLUTION = timedelta(seconds=60)


@receiver(user_logged_in)
def start_the_clock(sender, request, user, **kwargs) -> None:
    now = timezone.now().timestamp()
    request.session[LAST_SEEN] = now
    request.session[LOGGED_IN_AT] = now


class IdleTimeoutMiddleware:
    """The idle timeout, and the absolute lifetime that no activity extends.

    The lifetime is counted from the login time kept in the session, not from the session
    cookie's expiry, which Django moves on whenever the session is saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            logged_in_at = request.session.get(LOGGED_IN_AT)
            lifetime = settings.SESSION_MAX_LIFETIME
            if logged_in_at is None or now - logged_in_at > lifetime.total_seconds():
                hours = lifetime // timedelta(hours=1)
                return self._end(
                    request,
                    user,
                    f"Session ended {hours} hours after login",
                    f"Your session ended {hours} hours after you logged in. Log in again.",
                )
            last_seen = request.session.get(LAST_SEEN)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last_seen is None or now - last_seen > idle:
                return self._end(
                    request,
                    user,
                    "Session ended after inactivity",
                    "You were logged out after a period of inactivity.",
                )
            if now - last_seen > RESOLUTION.total_seconds():
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, user, logged: str, shown: str):
        logout(request)
        security_log.info("%s (user id %s)", logged, user.pk)
        messages.info(request, shown)
        return redirect_to_login(request.get_full_path())
