"""The guideline's logic becomes content: every existing version gets version 1's logic.

Until now the engine's code decided which sections and warnings apply, for every version
alike. Each version now holds that logic itself: its grading thresholds, category rules
and exclusions, and each section's and warning's condition (and the order warnings are
shown in). Every existing version is given version 1's logic, read here from
guidance/data/guideline-version-1-logic.json, which is frozen: it is never edited after
this migration, so what the migration loads never changes. A section the logic does not
name (the overview) never applies ("false"), as before.

Each section and warning text that changes gets a history row saying so, with no user
(the migration, not a person), and every version gets the first row of its own history.
"""

import json
from pathlib import Path

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

LOGIC = Path(__file__).resolve().parent.parent / "data" / "guideline-version-1-logic.json"
REASON = "Logic moved from the engine's code into the guideline"
VERSION_HISTORY_EXCLUDED = {"reference_results", "gating_cases", "gate_changes"}


def _history_row(Historical, obj, kind, now, excluded=()):
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in excluded
    }
    return Historical(
        **values,
        history_date=now,
        history_type=kind,
        history_change_reason=REASON,
        history_user=None,
    )


def give_every_version_version_1s_logic(apps, schema_editor):
    logic = json.loads(LOGIC.read_text(encoding="utf-8"))
    GuidelineVersion = apps.get_model("guidance", "GuidelineVersion")
    Section = apps.get_model("guidance", "Section")
    WarningText = apps.get_model("guidance", "WarningText")
    now = timezone.now()

    versions = list(GuidelineVersion.objects.all())
    for version in versions:
        version.grading = logic["grading"]
        version.category_rules = logic["category"]
        version.exclusive = logic["exclusive"]
    # The migration's models have plain managers: these bulk writes reach every version,
    # draft or not, which only a migration may do.
    GuidelineVersion.objects.bulk_update(versions, ["grading", "category_rules", "exclusive"])
    History = apps.get_model("guidance", "HistoricalGuidelineVersion")
    History.objects.bulk_create(
        _history_row(History, version, "+", now, VERSION_HISTORY_EXCLUDED)
        for version in versions
    )

    sections = list(Section.objects.filter(slug__in=logic["sections"]))
    for section in sections:
        rule = logic["sections"][section.slug]
        section.applies_when = rule["applies_when"]
        section.reasons = rule.get("reasons", {})
    Section.objects.bulk_update(sections, ["applies_when", "reasons"], batch_size=500)
    History = apps.get_model("guidance", "HistoricalSection")
    History.objects.bulk_create(
        (_history_row(History, section, "~", now) for section in sections), batch_size=500
    )

    order = {code: place for place, code in enumerate(logic["warnings"], start=1)}
    warnings = list(WarningText.objects.all())
    for warning in warnings:
        rule = logic["warnings"].get(warning.code)
        # A code the logic does not know is kept, last, and never shown, as before.
        warning.order = order.get(warning.code, len(order) + 1)
        if rule is not None:
            warning.applies_when = rule["applies_when"]
            warning.detail = rule["detail"]
    WarningText.objects.bulk_update(
        warnings, ["order", "applies_when", "detail"], batch_size=500
    )
    History = apps.get_model("guidance", "HistoricalWarningText")
    History.objects.bulk_create(
        (_history_row(History, warning, "~", now) for warning in warnings), batch_size=500
    )


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0011_case_run_token'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='guidelineversion',
            name='category_rules',
            field=models.JSONField(blank=True, default=list, help_text='How differentiation and grade give the category: the first rule that holds.'),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='exclusive',
            field=models.JSONField(blank=True, default=list, help_text='Pairs of section slugs that never apply together.'),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='grading',
            field=models.JSONField(blank=True, default=dict, help_text='The Ki-67 and mitotic thresholds of each grade.'),
        ),
        migrations.AddField(
            model_name='historicalsection',
            name='applies_when',
            field=models.TextField(default='false', help_text='When the section applies, e.g. extent == "localised" and size_mm < 20. false: never recommended (an introduction, say).'),
        ),
        migrations.AddField(
            model_name='historicalsection',
            name='reasons',
            field=models.JSONField(blank=True, default=dict, help_text='Your own words for a part of the condition, by the part as written; "" leaves that part out of the reasons.'),
        ),
        migrations.AddField(
            model_name='historicalwarningtext',
            name='applies_when',
            field=models.TextField(default='false', help_text="When the warning is shown, in the same language as sections'."),
        ),
        migrations.AddField(
            model_name='historicalwarningtext',
            name='detail',
            field=models.TextField(blank=True, help_text='What in the case raised it, with {placeholders}; empty: none; null: generated from the condition.', null=True),
        ),
        migrations.AddField(
            model_name='historicalwarningtext',
            name='order',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='section',
            name='applies_when',
            field=models.TextField(default='false', help_text='When the section applies, e.g. extent == "localised" and size_mm < 20. false: never recommended (an introduction, say).'),
        ),
        migrations.AddField(
            model_name='section',
            name='reasons',
            field=models.JSONField(blank=True, default=dict, help_text='Your own words for a part of the condition, by the part as written; "" leaves that part out of the reasons.'),
        ),
        migrations.AddField(
            model_name='warningtext',
            name='applies_when',
            field=models.TextField(default='false', help_text="When the warning is shown, in the same language as sections'."),
        ),
        migrations.AddField(
            model_name='warningtext',
            name='detail',
            field=models.TextField(blank=True, help_text='What in the case raised it, with {placeholders}; empty: none; null: generated from the condition.', null=True),
        ),
        migrations.AddField(
            model_name='warningtext',
            name='order',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name='HistoricalGuidelineVersion',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('label', models.CharField(help_text='The version as cited, e.g. 1 or 2.1.', max_length=50)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('retired', 'Retired'), ('discarded', 'Discarded')], default='draft', max_length=10)),
                ('citation', models.CharField(help_text='How the source is cited.', max_length=300)),
                ('change_summary', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_failures_reason', models.TextField(blank=True)),
                ('discarded_at', models.DateTimeField(blank=True, null=True)),
                ('discard_reason', models.TextField(blank=True)),
                ('grading', models.JSONField(blank=True, default=dict, help_text='The Ki-67 and mitotic thresholds of each grade.')),
                ('category_rules', models.JSONField(blank=True, default=list, help_text='How differentiation and grade give the category: the first rule that holds.')),
                ('exclusive', models.JSONField(blank=True, default=list, help_text='Pairs of section slugs that never apply together.')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('based_on', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='guidance.guidelineversion')),
                ('discarded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('guideline', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='guidance.guideline')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical guideline version',
                'verbose_name_plural': 'historical guideline versions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(give_every_version_version_1s_logic, migrations.RunPython.noop),
    ]
