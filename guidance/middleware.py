"""Ends a clinician's session after a spell without any request."""

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
# Record activity at most this often, so that reading pages does not write the session
# on every request.
RESOLUTION = timedelta(seconds=60)


@receiver(user_logged_in)
def start_the_clock(sender, request, user, **kwargs) -> None:
    request.session[LAST_SEEN] = timezone.now().timestamp()


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last_seen is None or now - last_seen > idle:
                logout(request)
                security_log.info("Session ended after inactivity (user id %s)", user.pk)
                messages.info(request, "You were logged out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            if now - last_seen > RESOLUTION.total_seconds():
                request.session[LAST_SEEN] = now
        return self.get_response(request)
