"""Create a clinician account: no admin access, a history of their own cases."""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create a clinician account. The password is asked for, or read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (for scripts).",
        )

    def handle(self, *args, username, email, first_name, last_name, password_stdin, **options):
        User = get_user_model()
        # Unique regardless of case, as the admin's form checks: "ALICE" beside "alice" would
        # be two accounts that people take for one. (Django's user table cannot carry that
        # as a constraint without a custom user model.)
        existing = (
            User.objects.filter(username__iexact=username)
            .values_list("username", flat=True)
            .first()
        )
        if existing is not None:
            raise CommandError(f"An account named {existing!r} already exists.")
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        password = self._password(password_stdin)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        with transaction.atomic():
            user.save()
            self.grant(user)
        self.stdout.write(self.style.SUCCESS(f"Created {self.role} {username}."))

    role = "clinician"

    def grant(self, user) -> None:
        """What the role may do beyond its own case history: nothing, for a clinician."""

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        password = getpass.getpass("Password (at least 12 characters): ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The passwords do not match.")
        return password
