"""Create a guideline editor: admin access to drafts, reference cases and publishing."""

from django.contrib.auth.models import Group

from guidance.management.commands.create_clinician import Command as CreateClinician

EDITORS = "Guideline editors"


class Command(CreateClinician):
    help = "Create a guideline editor account (member of the Guideline editors group)."
    role = "guideline editor"

    def grant(self, user) -> None:
        user.is_staff = True  # the admin is where editors work
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=EDITORS))
