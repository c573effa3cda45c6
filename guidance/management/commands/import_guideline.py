"""Make a draft from a guideline file: all of it, or nothing and every problem listed."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from guidance import guideline_file, publishing


class Command(BaseCommand):
    help = (
        "Create a draft guideline version from a JSON file in the format of "
        "docs/guideline-format.md (- reads standard input). One draft at a time. Every "
        "problem in the file is listed at once; on any, nothing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The guideline file, or - for standard input.")
        parser.add_argument(
            "--editor", help="The editor's username, recorded in the draft's history."
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why, for the history (default: imported from a guideline file).",
        )

    def handle(self, *args, file, editor=None, reason="", **options):
        user = None
        if editor is not None:
            user = get_user_model().objects.filter(username=editor).first()
            if user is None:
                raise CommandError(f"There is no user {editor!r}.")
            if not user.has_perm("guidance.add_guidelineversion"):
                raise CommandError(f"{editor} may not start a draft.")
        try:
            if file == "-":
                text = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    text = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            draft = guideline_file.import_draft(text, editor=user, reason=reason[:100])
        except guideline_file.FileRefused as refused:
            count = len(refused.problems)
            lines = [f"The file was not imported: {count} problem(s). Nothing was created."]
            lines += [f"  {guideline_file.describe(p)}" for p in refused.problems]
            raise CommandError("\n".join(lines)) from None
        except publishing.PublishingError as error:
            raise CommandError(f"The file was not imported: {error}") from None
        self.stdout.write(
            f"Draft {draft.label} created from {file}: {draft.sections.count()} sections, "
            f"{draft.warnings.count()} warnings."
        )
