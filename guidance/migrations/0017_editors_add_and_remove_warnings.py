"""Guideline editors may add a warning to a draft and remove one from it, as they may a
section: the "Guideline editors" group is given the add and delete permissions of warning
texts. The models refuse either outside a draft, and the removal of a warning a reference
case expects, whoever asks.

Undone, the group loses them again.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Guideline editors"
GRANTED = ["add_warningtext", "delete_warningtext"]


def _permissions(apps):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("guidance")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="guidance", codename__in=GRANTED)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_permissions(apps))


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("guidance", "0016_gastric_type_and_tumour_types"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, withdraw)]
