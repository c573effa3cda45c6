"""Write a guideline version, text and logic, as one JSON document (docs/guideline-format.md)."""

from django.core.management.base import BaseCommand, CommandError

from guidance import guideline_file
from guidance.models import GuidelineVersion


class Command(BaseCommand):
    help = (
        "Write a guideline version (the published one unless --version is given) as one JSON "
        "document to standard output, in the format of docs/guideline-format.md."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the guideline version, as the documented interface says: it
        # replaces the option every Django command has for Django's own version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--version", dest="label", help="The version's label, e.g. 1 or 2.1.")

    def handle(self, *args, label=None, **options):
        versions = GuidelineVersion.objects.select_related("guideline")
        try:
            version = versions.get(label=label) if label is not None else versions.current()
        except GuidelineVersion.DoesNotExist:
            if label is None:
                raise CommandError("No version is published: give one with --version.") from None
            labels = ", ".join(versions.order_by("created_at").values_list("label", flat=True))
            raise CommandError(f"There is no version {label!r}. The versions: {labels}.") from None
        self.stdout.write(guideline_file.dumps(guideline_file.export(version)), ending="")
