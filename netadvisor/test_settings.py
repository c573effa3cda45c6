"""Settings for the test suite: production settings with a throwaway secret and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-production")
# The test client speaks plain HTTP; the HTTPS settings are checked by `check --deploy`.
os.environ.setdefault("HTTPS", "false")

from netadvisor.settings import *  # noqa: E402, F403

# Hashing strength is not under test; a fast hasher keeps account fixtures cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test database keeps version 1 published, whose advice most tests read; the tests of
# version 2 install it themselves (the ``version_2`` fixture).
INSTALL_GUIDELINE_REVISIONS = False

# No collectstatic before tests: serve static files from the apps, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, as in production, not SQLite's shared in-memory one: there
    # concurrent writers fail at once with "database table is locked" instead of queueing on
    # the busy timeout, so tests of simultaneous requests could not run. One file per test
    # process, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"netadvisor-test-{os.getpid()}.sqlite3")
    }
