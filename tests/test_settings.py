"""Settings read from the environment: safe defaults, loud errors, production hardening."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def settings_in_a_fresh_process(code: str, **env: str) -> subprocess.CompletedProcess:
    """Import the real settings module with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {
        "DEBUG", "SECRET_KEY", "HTTPS", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"
    }}
    return subprocess.run(
        [sys.executable, "-c", "import netadvisor.settings as s\n" + code],
        env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, check=False,
    )


def test_debug_is_off_unless_asked_for():
    result = settings_in_a_fresh_process("print(s.DEBUG)", SECRET_KEY="x" * 60)
    assert result.stdout.strip() == "False"


def test_without_debug_a_missing_secret_key_is_a_loud_error():
    result = settings_in_a_fresh_process("print(s.SECRET_KEY)")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_debug_a_fresh_checkout_runs_without_a_secret_key():
    result = settings_in_a_fresh_process("print(s.DEBUG, bool(s.SECRET_KEY))", DEBUG="true")
    assert result.stdout.strip() == "True True"


def test_a_bad_boolean_is_a_loud_error():
    result = settings_in_a_fresh_process("", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_settings_turn_https_hardening_on():
    result = settings_in_a_fresh_process(
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)",
        SECRET_KEY="x" * 60,
    )
    assert result.stdout.strip() == "True True True True True True"


def test_database_url_selects_postgresql_and_sqlite_is_the_default():
    default = settings_in_a_fresh_process("print(s.DATABASES['default']['ENGINE'])", DEBUG="1")
    chosen = settings_in_a_fresh_process(
        "print(s.DATABASES['default']['ENGINE'])",
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
    )
    assert default.stdout.strip() == "django.db.backends.sqlite3"
    assert chosen.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    # A file database (the test database lives in memory, where WAL does not apply),
    # opened through Django with the project's own settings.
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "wal.sqlite3")}
    wrapper = DatabaseWrapper(settings_dict, alias="wal-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 15000
        assert wrapper.transaction_mode == "IMMEDIATE"
        # IMMEDIATE: a second writer waits for the lock instead of failing half-way.
        other = sqlite3.connect(settings_dict["NAME"], timeout=0.1)
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x)")
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")  # BEGIN IMMEDIATE took the write lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        wrapper.rollback()
        wrapper.set_autocommit(True)
        other.close()
    finally:
        wrapper.close()


HTTP_REQUESTS = """
import django
django.setup()
from django.test import Client
for path in ("/health/", "/", "/cases/", "/cases/new/", "/api/v1/recommendations", "/health"):
    response = Client().get(path)
    print(path, response.status_code, response.get("Location", "-"))
"""


def test_with_https_on_health_answers_plain_http_and_every_other_page_redirects(tmp_path):
    # Load balancers probe /health/ over plain HTTP; everything else goes to HTTPS.
    result = settings_in_a_fresh_process(
        HTTP_REQUESTS,
        SECRET_KEY="x" * 60,
        HTTPS="true",
        DJANGO_SETTINGS_MODULE="netadvisor.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "/health/ 200 -",
        "/ 301 https://testserver/",
        "/cases/ 301 https://testserver/cases/",
        "/cases/new/ 301 https://testserver/cases/new/",
        "/api/v1/recommendations 301 https://testserver/api/v1/recommendations",
        "/health 301 https://testserver/health",
    ]
    assert not (tmp_path / "unused.sqlite3").exists()  # health never touches the database


def test_behind_a_proxy_health_answers_a_probe_made_over_plain_http(tmp_path):
    result = settings_in_a_fresh_process(
        HTTP_REQUESTS.replace("get(path)", "get(path, HTTP_X_FORWARDED_PROTO='http')"),
        SECRET_KEY="x" * 60,
        HTTPS="true",
        BEHIND_PROXY="true",
        DJANGO_SETTINGS_MODULE="netadvisor.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["/health/ 200 -", "/ 301 https://testserver/"]


def test_behind_the_proxy_one_trusted_proxy_is_the_default_and_none_is_a_loud_error():
    default = settings_in_a_fresh_process(
        "print(s.BEHIND_PROXY, s.TRUSTED_PROXY_COUNT)", DEBUG="1", BEHIND_PROXY="true"
    )
    assert default.stdout.strip() == "True 1"
    none = settings_in_a_fresh_process("", DEBUG="1", TRUSTED_PROXY_COUNT="0")
    assert none.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 1 or more" in none.stderr


def test_a_session_lasts_twelve_hours_from_login_unless_set_otherwise():
    default = settings_in_a_fresh_process(
        "print(s.SESSION_MAX_LIFETIME, s.SESSION_COOKIE_AGE)", DEBUG="1"
    )
    assert default.stdout.strip() == "12:00:00 43200"
    chosen = settings_in_a_fresh_process(
        "print(s.SESSION_MAX_LIFETIME)", DEBUG="1", SESSION_MAX_HOURS="8"
    )
    assert chosen.stdout.strip() == "8:00:00"
    none = settings_in_a_fresh_process("", DEBUG="1", SESSION_MAX_HOURS="0")
    assert "SESSION_MAX_HOURS must be 1 or more" in none.stderr


def test_template_fragments_are_kept_in_each_process_and_never_in_development():
    code = "print(s.CACHES['template_fragments']['BACKEND'].rsplit('.', 1)[-1])"
    production = settings_in_a_fresh_process(code, SECRET_KEY="x" * 60)
    development = settings_in_a_fresh_process(code, DEBUG="true")
    assert production.stdout.strip() == "LocMemCache"
    # An edited template shows at once: nothing rendered from the old one is kept.
    assert development.stdout.strip() == "DummyCache"


def test_migrate_installs_the_guideline_revisions_except_for_the_test_suite():
    production = settings_in_a_fresh_process(
        "print(s.INSTALL_GUIDELINE_REVISIONS)", SECRET_KEY="x" * 60
    )
    assert production.stdout.strip() == "True"
    assert settings.INSTALL_GUIDELINE_REVISIONS is False  # this suite's own settings
