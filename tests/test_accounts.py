"""Clinician accounts: logging in and out, no sign-up, strong passwords, the account command.

Accounts are made by an administrator or by ``manage.py create_clinician``; a clinician
has no admin access. The wizard keeps working without an account and then saves nothing.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from guidance.models import Case
from tests.factories import PASSWORD
from tests.wizard_client import LOCALISED_COLON, answer_steps, run_wizard, session_key

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"

User = get_user_model()


def log_in(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def create_clinician(monkeypatch, *args: str, password: str = PASSWORD) -> str:
    """Run the command as a script would, the password on standard input; return its output."""
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_clinician", *args, "--password-stdin", stdout=out)
    return out.getvalue()


# --- Logging in and out ------------------------------------------------------------------


def test_the_login_page_is_in_the_apps_own_style(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    templates = [template.name for template in response.templates]
    assert "registration/login.html" in templates
    assert "base.html" in templates
    html = response.content.decode()
    assert '<header class="site-header' in html
    assert ">NET Advisor</a>" in html
    assert "<title>Log in · NET Advisor</title>" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_the_login_page_says_there_is_no_sign_up(client):
    html = client.get(LOGIN_URL).content.decode()

    text = " ".join(html.split())
    assert "Accounts are created by an administrator; there is no sign-up." in text
    assert "signup" not in html and "register" not in html


def test_a_clinician_logs_in_with_the_right_password(client, alice):
    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert response.url == "/cases/"
    assert logged_in_user_id(client) == str(alice.pk)
    assert client.get("/cases/").status_code == 200


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, alice):
    response = log_in(client, "alice", PASSWORD + "x")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Please enter a correct username and password" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert client.get("/cases/").status_code == 302


def test_an_unknown_username_logs_nobody_in(client, alice):
    response = log_in(client, "mallory", PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_user_id(client) is None


def test_the_session_key_changes_at_login_and_the_case_in_progress_is_kept(client, alice):
    # Half a case in the session before logging in (session fixation would reuse the key).
    answer_steps(client, LOCALISED_COLON, until="extent")
    before = client.session.session_key
    assert before

    log_in(client, "alice", PASSWORD)

    assert client.session.session_key != before
    assert logged_in_user_id(client) == str(alice.pk)
    # The answers given before logging in are still there.
    assert set(client.session[session_key(client)]["step_data"]) == {"tumour", "pathology"}


def test_a_next_url_is_followed_after_login(client, alice):
    response = client.post(
        LOGIN_URL, {"username": "alice", "password": PASSWORD, "next": "/cases/new/"}
    )

    assert response.status_code == 302
    assert response.url == "/cases/new/"


def test_an_offsite_next_url_is_not_followed_after_login(client, alice):
    response = client.post(
        LOGIN_URL, {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response.url == "/cases/"


def test_logging_out_ends_the_session(alice_client):
    assert alice_client.get("/cases/").status_code == 200

    response = alice_client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_user_id(alice_client) is None
    after = alice_client.get("/cases/")
    assert after.status_code == 302
    assert after.url.startswith(LOGIN_URL)


def test_logging_out_is_post_only(alice, alice_client):
    response = alice_client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert logged_in_user_id(alice_client) == str(alice.pk)


def test_the_header_logs_out_with_a_posted_form(alice_client):
    html = alice_client.get("/").content.decode()

    assert f'<form method="post" action="{LOGOUT_URL}"' in html
    assert "Log out" in html


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/register/"])
def test_there_is_no_sign_up_page(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, {"username": "mallory", "password1": PASSWORD}).status_code == 404
    assert not User.objects.filter(username="mallory").exists()


# --- Passwords ----------------------------------------------------------------------------


def test_a_password_of_eleven_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("kq7-vbn3-zx")

    assert refused.value.messages == [
        "This password is too short. It must contain at least 12 characters."
    ]


def test_a_password_of_twelve_characters_is_accepted():
    assert validate_password("kq7-vbn3-zxw") is None


# --- The create_clinician command ---------------------------------------------------------


def test_the_command_creates_an_active_clinician_without_admin_rights(monkeypatch, client):
    output = create_clinician(
        monkeypatch,
        "carol",
        "--email",
        "carol@example.org",
        "--first-name",
        "Carol",
        "--last-name",
        "Cole",
    )

    carol = User.objects.get(username="carol")
    assert carol.is_active
    assert not carol.is_staff
    assert not carol.is_superuser
    assert not carol.user_permissions.exists() and not carol.groups.exists()
    assert (carol.email, carol.first_name, carol.last_name) == (
        "carol@example.org",
        "Carol",
        "Cole",
    )
    assert carol.check_password(PASSWORD)
    assert "Created clinician carol." in output
    # The new account logs in through the login page.
    assert log_in(client, "carol", PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(carol.pk)


def test_the_command_refuses_a_short_password_and_creates_nothing(monkeypatch):
    with pytest.raises(CommandError, match="at least 12 characters"):
        create_clinician(monkeypatch, "carol", password="kq7-vbn3-zx")

    assert not User.objects.filter(username="carol").exists()


def test_the_command_refuses_an_existing_username_and_changes_nothing(monkeypatch, alice):
    users_before = User.objects.count()

    with pytest.raises(CommandError, match="already exists"):
        create_clinician(monkeypatch, "alice", password="another-long-password-2")

    assert User.objects.count() == users_before
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.parametrize("command", ["create_clinician", "create_editor"])
@pytest.mark.parametrize("username", ["ALICE", "Alice", "alicE"])
def test_the_commands_refuse_a_username_that_differs_only_in_case(
    monkeypatch, alice, command, username
):
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password-2\n"))
    users_before = User.objects.count()

    with pytest.raises(CommandError, match="An account named 'alice' already exists"):
        call_command(command, username, "--password-stdin", stdout=io.StringIO())

    assert User.objects.count() == users_before


def test_logging_in_needs_the_username_exactly_as_it_was_created(client, alice):
    response = log_in(client, "ALICE", PASSWORD)

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_the_admin_refuses_a_new_account_that_differs_only_in_case(root_client, alice):
    response = root_client.post(
        "/admin/auth/user/add/",
        {"username": "ALICE", "usable_password": "true", "password1": PASSWORD,
         "password2": PASSWORD},
    )

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert not User.objects.filter(username="ALICE").exists()


def test_the_admin_refuses_renaming_an_account_to_another_in_a_different_case(
    root_client, alice, bob
):
    page = root_client.get(f"/admin/auth/user/{bob.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        username="Alice",
        last_login_0="",
        last_login_1="",
        date_joined_0=bob.date_joined.strftime("%d/%m/%Y"),
        date_joined_1=bob.date_joined.strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data.pop("password", None)

    response = root_client.post(f"/admin/auth/user/{bob.pk}/change/", data)

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    bob.refresh_from_db()
    assert bob.username == "bob"
    # The same form saves a rename that clashes with nobody.
    data["username"] = "robert"
    assert root_client.post(f"/admin/auth/user/{bob.pk}/change/", data).status_code == 302
    bob.refresh_from_db()
    assert bob.username == "robert"


# --- No admin for clinicians --------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", "/admin/guidance/case/", "/admin/auth/user/"])
def test_a_clinician_cannot_reach_the_admin(alice_client, url):
    response = alice_client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- Without an account -------------------------------------------------------------------


def test_the_wizard_works_anonymously_and_saves_nothing(client):
    cases_before = Case.objects.count()

    response = run_wizard(client, LOCALISED_COLON)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "guidance/recommendation.html"
    assert Case.objects.count() == cases_before


def test_the_anonymous_result_page_says_logging_in_keeps_a_history(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert "Nothing about this case has been saved." in html
    assert f'<a class="alert-link" href="{LOGIN_URL}">Log in</a> to keep a history' in html


def test_the_login_page_runs_no_query(client, django_assert_num_queries):
    # No session yet and nobody logged in: the page needs nothing from the database.
    with django_assert_num_queries(0):
        response = client.get("/accounts/login/")

    assert response.status_code == 200
