"""Personas, as in the clinic: Alice and Bob are clinicians; Erin keeps the guideline (an editor)
and Fay, a second editor, approves her changes to its logic;
root administers the site (a superuser); an anonymous visitor has no account. And the cases
Alice has saved that the tests of a saved case's pages look at."""

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from guidance import content
from guidance.installing import install_guideline_revisions
from guidance.models import GuidelineVersion
from guidance.publishing import start_draft
from tests.factories import (
    guideline_document,
    make_case,
    make_clinician,
    make_editor,
    write_guideline_file,
)
from tests.wizard_client import METASTATIC_SMALL_BOWEL, WARNED_RECTUM


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


@pytest.fixture(autouse=True)
def _no_kept_fragments():
    """Each test starts with no template fragment kept from an earlier one (settings.CACHES)."""
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


@pytest.fixture
def alice(db):
    return make_clinician("alice", last_name="Adams")


@pytest.fixture
def bob(db):
    return make_clinician("bob", last_name="Brown")


@pytest.fixture
def client_for(db):
    """Log a user in: ``client_for(user)`` is a new test client with ``user`` logged in.

    Keyword arguments go to ``Client`` (``raise_request_exception=False`` to see a 500 as the
    browser does). Logging in goes round django-axes, as its documentation advises for tests.
    """

    def logged_in(user, **client_options) -> Client:
        client = Client(**client_options)
        client.force_login(user)
        return client

    return logged_in


@pytest.fixture
def alice_client(client_for, alice):
    return client_for(alice)


@pytest.fixture
def bob_client(client_for, bob):
    return client_for(bob)


@pytest.fixture
def erin(db):
    """Erin, a guideline editor: staff, in the editors' group, not a superuser."""
    return make_editor("erin", last_name="Evans")


@pytest.fixture
def erin_client(client_for, erin):
    return client_for(erin)


@pytest.fixture
def fay(db):
    """Fay, a second guideline editor: the second pair of eyes on Erin's changes to the logic."""
    return make_editor("fay", last_name="Fischer")


@pytest.fixture
def fay_client(client_for, fay):
    return client_for(fay)


@pytest.fixture
def editor(erin):
    """Erin, as the editor who starts, edits and publishes drafts."""
    return erin


@pytest.fixture
def version_1(db):
    """The published version the migrations seeded from the source guideline."""
    return GuidelineVersion.objects.current()


@pytest.fixture
def version_2(db):
    """Version 2 published in place of version 1 by the installer ``migrate`` runs
    (guidance.installing), through every gate of publishing: the test settings leave it out
    of the test database, whose other tests read version 1's advice."""
    install_guideline_revisions()
    return GuidelineVersion.objects.current()


@pytest.fixture(scope="module")
def version_2_for_the_module(request, django_db_setup, django_db_blocker):
    """Version 2 installed once for a whole test module, as ``version_2`` installs it.

    For a module whose every test reads version 2 (``pytestmark =
    pytest.mark.usefixtures("version_2_for_the_module")``): the installation runs in a
    transaction kept open for the module and rolled back after its last test, and each test
    runs inside it in its own, as with ``db``, so that what one test changes the next does
    not see. A module fixture stays until the module ends, so a module that mixes version 1's
    tests with these is refused, as are transactional tests (they empty the database).
    """
    items = [item for item in request.session.items if item.module is request.module]
    mixed = [item.name for item in items if "version_2_for_the_module" not in item.fixturenames]
    transactional = [
        item.name
        for item in items
        if {"transactional_db", "live_server"} & set(item.fixturenames)
        or any(mark.kwargs.get("transaction") for mark in item.iter_markers("django_db"))
    ]
    if mixed or transactional:
        pytest.fail(
            "version_2_for_the_module is for modules whose every test uses it, none of them "
            f"transactional: not {', '.join(mixed + transactional)}."
        )
    with django_db_blocker.unblock():
        kept = transaction.atomic()
        kept.__enter__()
        try:
            install_guideline_revisions()
            yield
        finally:
            transaction.set_rollback(True)
            kept.__exit__(None, None, None)


@pytest.fixture
def draft(editor):
    """A draft Erin started from the published version (the publishing module's own call).

    The admin's tests start theirs with the admin's button instead, in a fixture of their own.
    """
    return start_draft(editor=editor, reason="Correct the everolimus wording")


@pytest.fixture
def version_1_file(version_1, tmp_path):
    """Version 1 exported as a guideline file, the path as the commands take it."""
    return write_guideline_file(tmp_path / "version-1.json", guideline_document(version_1))


@pytest.fixture
def root(db):
    """A superuser: every admin right, as an administrator has."""
    return make_clinician("root", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(client_for, root):
    return client_for(root)


@pytest.fixture
def case(alice):
    """Alice's six-section metastatic small-bowel case, saved as MDT-14."""
    return make_case(alice, reference="MDT-14", **METASTATIC_SMALL_BOWEL)


@pytest.fixture
def warned(alice):
    """Alice's rectal case with five warnings (details, a decimal size and Ki-67), MDT-15."""
    return make_case(alice, reference="MDT-15", **WARNED_RECTUM)
