"""Each saved case names the run of the wizard it came from (``Case.run_token``, unique).

Cases saved before runs had tokens get one each, all different, so that the column can be
unique and required on SQLite and PostgreSQL alike: added as nullable, filled, then made
unique and not null.
"""

import uuid

from django.db import migrations, models


def give_each_case_a_token(apps, schema_editor):
    Case = apps.get_model("guidance", "Case")
    # The historical model has the plain manager, so this bulk update is allowed here (the
    # app's own manager refuses any update of a saved case). Only the new column is written.
    cases = list(Case.objects.filter(run_token__isnull=True).only("pk"))
    for case in cases:
        case.run_token = uuid.uuid4()
    Case.objects.bulk_update(cases, ["run_token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0010_case_deletion")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="run_token",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_case_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="run_token",
            field=models.UUIDField(editable=False, unique=True),
        ),
    ]
