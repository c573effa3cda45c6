"""Publish the draft through exactly the gates of the admin's publish page."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from guidance import engine, publishing
from guidance.models import GuidelineVersion

PUBLISH_PERMISSION = "guidance.publish_guidelineversion"


class Command(BaseCommand):
    help = (
        "Publish the draft as the admin's publish page does: the same checks, the same "
        "refusals (listed, with a non-zero exit), the same record of who and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("--label", required=True, help="The version as it will be cited.")
        parser.add_argument("--summary", required=True, help="What changed, for the record.")
        parser.add_argument("--editor", required=True, help="Who publishes (a username).")
        parser.add_argument(
            "--approver",
            help="The second editor who approved the change to the logic (a username): "
            "recorded with the version. Not the editor who made the last change to it.",
        )
        parser.add_argument(
            "--accept-failures",
            default="",
            metavar="REASON",
            help="Publish despite failing or changed reference cases, because REASON.",
        )

    def handle(self, *args, label, summary, editor, approver=None, accept_failures="", **options):
        user = self.user(editor)
        if not user.has_perm(PUBLISH_PERMISSION):
            raise CommandError(f"{editor} may not publish a guideline version.")
        draft = (
            GuidelineVersion.objects.select_related("guideline")
            .filter(status=GuidelineVersion.Status.DRAFT)
            .first()
        )
        if draft is None:
            raise CommandError("There is no draft to publish.")
        # The second pair of eyes is publishing's rule; this only says who it was.
        approving = self.user(approver) if approver is not None else None
        try:
            results = publishing.publish(
                draft,
                editor=user,
                label=label,
                change_summary=summary,
                accept_failures_reason=accept_failures,
                approver=approving,
            )
        except publishing.PublishingError as error:
            raise CommandError(self.refusal(draft, str(error))) from None
        failed = [result for result in results if not result.passed]
        self.stdout.write(
            f"Version {label.strip()} is published: {len(results) - len(failed)} of "
            f"{len(results)} reference cases pass."
        )
        for result in failed:
            self.stdout.write(f"  accepted: {result.title}: {'; '.join(result.problems)}")

    @staticmethod
    def user(username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {username!r}.")
        return user

    @staticmethod
    def refusal(draft: GuidelineVersion, reason: str) -> str:
        """Why publishing was refused, with where: each failure of the exhaustive check, each
        failing reference case and each change to the gate, as the publish page lists them."""
        lines = [f"The draft was not published. {reason}"]
        try:
            gate = publishing.check_gate(draft)
        except engine.LogicError:  # the reason said so: the reference cases cannot run
            return lines[0]
        lines += [
            f"  exhaustive check, {failure.rule}: {failure.message} For example: {failure.words}."
            for failure in gate.logic_failures
        ]
        lines += [
            f"  reference case failing: {result.title}: {'; '.join(result.problems)}"
            for result in gate.failures
        ]
        lines += [
            f"  reference case {change.kind} since the draft was started: {change.title}"
            for change in gate.changes_needing_reason
        ]
        return "\n".join(lines)
