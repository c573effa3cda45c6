"""Personas, as in the clinic: Alice and Bob are clinicians; Erin keeps the guideline (an editor);
an anonymous visitor has no account."""

import pytest
from django.test import Client

from guidance import content
from tests.factories import make_clinician, make_editor


@pytest.fixture(autouse=True)
def _fresh_guideline_text():
    """Each test starts with no guideline text in memory.

    Tests change published text behind the app's back (``change_outside_the_app``) and
    roll their transactions back, and SQLite can give a later test's version a rolled-back
    version's id.
    """
    content.forget()
    yield
    content.forget()


@pytest.fixture
def alice(db):
    return make_clinician("alice", last_name="Adams")


@pytest.fixture
def bob(db):
    return make_clinician("bob", last_name="Brown")


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def erin(db):
    """Erin, a guideline editor: staff, in the editors' group, not a superuser."""
    return make_editor("erin", last_name="Evans")


@pytest.fixture
def erin_client(erin):
    client = Client()
    client.force_login(erin)
    return client
