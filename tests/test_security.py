"""Hardening: security headers, CSP, CSRF, login throttling, idle timeout, the security log."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.utils import timezone

from guidance.middleware import LAST_SEEN, LOGGED_IN_AT
from guidance.security import client_address, logged_in, username_key, where
from tests.factories import PASSWORD, make_case
from tests.wizard_client import management_field, run_of, start

pytestmark = pytest.mark.django_db

SECURITY_LOG = "netadvisor.security"
# What a clinician types into the username box when the cursor was in the wrong field.
PASSWORD_LIKE = "Tr0ub4dor&3-horse-battery"
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_content_security_policy_allows_only_this_app_and_no_inline_script(client):
    policy = start(client).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_page_carries_an_inline_script(alice_client, alice):
    case = make_case(alice)
    for url in ["/", "/cases/new/", "/cases/", f"/cases/{case.pk}/", "/accounts/login/"]:
        html = alice_client.get(url, follow=True).content.decode()
        assert "<script>" not in html and " onclick=" not in html, url


def test_a_post_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    # With no case in progress a GET starts one (a POST, here, would itself need the token).
    first_step = client.get("/cases/new/", follow=True).request["PATH_INFO"]

    response = client.post(first_step, {management_field(client, run=run_of(first_step)): "tumour"})

    assert response.status_code == 403


def failed_login(client, username="alice"):
    return client.post("/accounts/login/", {"username": username, "password": "wrong password!"})


def test_five_failed_logins_lock_the_account_for_a_cool_off(alice, caplog):
    client = Client()
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT - 1):
        assert failed_login(client).status_code == 200

    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        locked = failed_login(client)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Even the right password is refused until the cool-off has passed.
    right = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert right.status_code == 429
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert any("locked out" in record.getMessage() for record in caplog.records)


@pytest.fixture
def clock(monkeypatch):
    """Time travel: the time the login throttle and sessions read, moved on by the test."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock.now)
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: clock.now)  # axes' own import
    return clock


def right_login(client, username="alice"):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_attempts_during_a_lock_out_do_not_extend_it(alice, clock):
    client = Client()
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        failed_login(client)

    clock.advance(minutes=10)
    assert failed_login(client).status_code == 429
    assert right_login(client).status_code == 429
    clock.advance(minutes=4, seconds=59)
    assert right_login(client).status_code == 429
    # Fifteen minutes after the lock began, whatever was tried meanwhile.
    clock.advance(seconds=2)
    assert right_login(client).status_code == 302


def test_failures_across_many_usernames_from_one_address_lock_that_address(alice, bob):
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(LOGIN_FAILURES_PER_ADDRESS - 1):
        assert failed_login(sprayer, f"user{n}").status_code == 200, n

    assert failed_login(sprayer, "user-last").status_code == 429
    # From that address not even the right password gets in...
    assert right_login(sprayer).status_code == 429
    # ...while a clinician at another address logs in as usual.
    assert right_login(Client(REMOTE_ADDR="198.51.100.20"), "bob").status_code == 302


def test_an_address_lock_lifts_once_its_failures_are_15_minutes_old(alice, clock):
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(LOGIN_FAILURES_PER_ADDRESS):
        failed_login(sprayer, f"user{n}")
    assert right_login(sprayer).status_code == 429

    clock.advance(minutes=14, seconds=59)
    assert right_login(sprayer).status_code == 429
    clock.advance(seconds=2)
    assert right_login(sprayer).status_code == 302


def test_a_login_forgives_that_usernames_failures_only(alice, bob):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT - 1):
        failed_login(client)
    for n in range(LOGIN_FAILURES_PER_ADDRESS - LOGIN_FAILURES_PER_ACCOUNT):
        failed_login(client, f"user{n}")

    assert right_login(client).status_code == 302
    client.post("/accounts/logout/")
    # Alice's own failures are forgiven: one more typo does not lock her out...
    assert failed_login(client).status_code == 200
    # ...but the other usernames' failures from the address still count towards its limit.
    for n in range(LOGIN_FAILURES_PER_ACCOUNT - 2):
        assert failed_login(client, f"other{n}").status_code == 200
    assert failed_login(client, "other-last").status_code == 429
    assert right_login(client, "bob").status_code == 429


def test_one_username_is_locked_after_fewer_failures_than_the_address(alice):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT - 1):
        assert failed_login(client).status_code == 200

    assert failed_login(client).status_code == 429


def test_a_lock_out_does_not_lock_out_another_clinician(alice, bob):
    client = Client()
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        failed_login(client, "alice")

    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})

    assert response.status_code == 302


def test_a_failed_login_is_logged_by_account_id_without_the_password(alice, caplog):
    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        failed_login(Client())

    messages = [record.getMessage() for record in caplog.records if record.name == SECURITY_LOG]
    assert messages == [
        f"Failed login for user id {alice.pk} (username key {username_key('alice')}) "
        "from 127.0.0.1"
    ]
    assert not any("wrong password" in message for message in messages)


def test_a_failed_login_for_no_account_is_logged_by_a_keyed_hash(alice, caplog):
    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        failed_login(Client(), "nobody")

    messages = [record.getMessage() for record in caplog.records if record.name == SECURITY_LOG]
    assert messages == [
        f"Failed login for an unknown username (key {username_key('nobody')}) from 127.0.0.1"
    ]
    # The key is the same for the same name, differs between names, and is not the name.
    assert username_key("nobody") == username_key("nobody") != username_key("nobody2")
    assert "nobody" not in username_key("nobody")


def test_a_password_typed_as_the_username_is_never_logged_nor_kept_by_the_throttle(
    alice, caplog
):
    client = Client()
    # Every logger at every level: the app's security log, axes' own, Django's.
    with caplog.at_level(logging.DEBUG):
        for _ in range(LOGIN_FAILURES_PER_ACCOUNT + 1):  # up to a lock-out and beyond
            response = failed_login(client, PASSWORD_LIKE)
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429, "the throttle did not lock the typed name out"
    logged = [caplog.text] + [record.getMessage() for record in caplog.records]
    assert not [line for line in logged if PASSWORD_LIKE in line]
    assert caplog.records, "nothing was logged, so the check above means nothing"
    rows = [
        row
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
        for row in model.objects.values()
    ]
    assert AccessAttempt.objects.exists(), "no attempt was recorded"
    assert not [row for row in rows if PASSWORD_LIKE in repr(row)]


# --- The client's address behind the proxy ------------------------------------------------

PROXY = "10.0.0.1"  # the TLS-terminating proxy: every request reaches the app from it


def through_the_proxy(forwarded_for: str) -> Client:
    """A browser whose requests the proxy forwards, with X-Forwarded-For as the proxy sends it."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture
def behind_the_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def test_behind_the_proxy_an_attacker_cannot_lock_a_clinician_out_for_everyone(
    behind_the_proxy, alice, caplog
):
    # The attacker forges the clinician's own address; the proxy appends the real one.
    attacker = through_the_proxy("198.51.100.20, 203.0.113.9")
    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
            locked = failed_login(attacker)

    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    messages = [record.getMessage() for record in caplog.records if record.name == SECURITY_LOG]
    assert messages and all(message.endswith("from 203.0.113.9") for message in messages)
    # Alice, at the address the attacker forged, still logs in.
    alice_at_work = through_the_proxy("198.51.100.20")
    response = alice_at_work.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_without_the_proxy_setting_a_forged_forwarded_for_is_ignored(alice):
    for n in range(LOGIN_FAILURES_PER_ACCOUNT):
        # A new forged address each time cannot escape the lock-out.
        locked = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            "/accounts/login/", {"username": "alice", "password": "wrong password!"}
        )

    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.20, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's word
        (1, "not an address, 203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.9, 192.0.2.50", "203.0.113.9"),  # a CDN, then our proxy
        (2, "198.51.100.20, 203.0.113.9, 192.0.2.50", "203.0.113.9"),
        (1, "", PROXY),  # no header: the proxy's own address, never a guess
        (2, "203.0.113.9", PROXY),  # fewer entries than trusted proxies: not believed
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    behind_the_proxy, proxies, forwarded_for, client
):
    behind_the_proxy.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_address(request) == client


def test_a_request_without_an_address_has_none_and_is_logged_as_unknown(alice):
    request = HttpRequest()  # as the test client's force_login makes one

    assert client_address(request) is None
    assert where(request) == "unknown"
    # Logging in from it forgives no failures (there is no address to forgive them for),
    # rather than asking the database for attempts from the address "unknown".
    logged_in(sender=None, request=request, user=alice)


def test_the_client_address_ignores_the_header_unless_behind_the_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_address(request) == PROXY


def test_denied_access_to_a_case_is_logged_without_its_contents(alice, bob_client, caplog):
    case = make_case(alice, reference="MDT 77")

    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        response = bob_client.get(f"/cases/{case.pk}/")

    assert response.status_code == 404
    messages = [record.getMessage() for record in caplog.records if record.name == SECURITY_LOG]
    bob = response.wsgi_request.user
    assert messages == [f"Denied access to case {case.pk} for user id {bob.pk} from 127.0.0.1"]
    assert "MDT 77" not in " ".join(messages)


def test_a_missing_case_is_a_404_that_is_not_logged_as_denied(alice_client, caplog):
    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        assert alice_client.get("/cases/999999/").status_code == 404
    assert not [record for record in caplog.records if record.name == SECURITY_LOG]


def test_an_idle_session_ends_and_asks_to_log_in_again(alice_client):
    session = alice_client.session
    session[LAST_SEEN] -= settings.SESSION_IDLE_TIMEOUT.total_seconds() + 1
    session.save()

    response = alice_client.get("/cases/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/cases/")
    # The server-side session is gone: the next request is anonymous too.
    assert alice_client.get("/cases/").url.startswith("/accounts/login/")


def test_an_active_session_carries_on(alice_client):
    session = alice_client.session
    session[LAST_SEEN] -= settings.SESSION_IDLE_TIMEOUT.total_seconds() - 60
    session.save()

    assert alice_client.get("/cases/").status_code == 200


def test_a_session_ends_twelve_hours_after_login_however_active(alice, clock, client_for):
    client = client_for(alice)
    for _ in range(28):  # a request every 25 minutes, never idle, for 11 hours 40 minutes
        clock.advance(minutes=25)
        assert client.get("/cases/").status_code == 200
    clock.advance(minutes=20, seconds=1)  # twelve hours and a second after logging in

    response = client.get("/cases/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/cases/")
    assert "Your session ended 12 hours after you logged in" in response.content.decode()
    assert client.get("/cases/").url.startswith("/accounts/login/")


def test_a_session_without_a_login_time_is_ended(alice_client):
    session = alice_client.session
    del session[LOGGED_IN_AT]
    session.save()

    assert alice_client.get("/cases/").url.startswith("/accounts/login/")


def test_the_health_check_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.content == b"ok"
