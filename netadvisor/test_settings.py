"""Settings for the test suite: production settings with a throwaway secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-production")
# The test client speaks plain HTTP; the HTTPS settings are checked by `check --deploy`.
os.environ.setdefault("HTTPS", "false")

from netadvisor.settings import *  # noqa: E402, F403

# Hashing strength is not under test; a fast hasher keeps account fixtures cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic before tests: serve static files from the apps, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
