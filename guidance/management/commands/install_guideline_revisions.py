"""Publish the guideline revisions the project ships (version 2), as `migrate` does."""

from django.core.management.base import BaseCommand, CommandError

from guidance import installing


class Command(BaseCommand):
    help = (
        "Publish version 2 of the guideline in place of version 1 through the editors' own "
        "gates: its reference cases, the import of its file as a draft, the approval of its "
        "logic by a second account, the exhaustive check. Nothing to do if it is installed "
        "already; on any refusal nothing is changed and the reason is given."
    )

    def handle(self, *args, **options):
        try:
            installation = installing.install_guideline_revisions()
        except installing.InstallationRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            self.style.SUCCESS(installation.message) if installation.installed
            else installation.message
        )
