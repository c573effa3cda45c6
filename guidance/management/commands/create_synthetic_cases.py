"""Fill a clinician's history with synthetic cases, for measuring the history's speed."""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from guidance import content, engine, recommendation
from guidance.models import Case

# Distinct recommendations to build, unless told; the cases cycle through them.
DISTINCT = 200
BATCH = 2000  # cases written by one INSERT


def synthetic_facts(rng: random.Random) -> engine.CaseFacts:
    site = rng.choice(engine.SITES)[0]
    extent = rng.choice(engine.EXTENTS)[0]
    return engine.CaseFacts(
        site=site,
        pancreas_region=rng.choice(engine.PANCREAS_REGIONS)[0] if site == "pancreas" else None,
        gastric_type=rng.choice(engine.GASTRIC_TYPES)[0] if site == "stomach" else None,
        tumour_type=rng.choice(engine.TUMOUR_TYPES)[0],
        hormonal_symptoms=rng.random() < 0.4,
        size_mm=Decimal(rng.randint(1, 800)) / 10,
        differentiation=rng.choice(["well", "well", "well", "poor", "unknown"]),
        ki67_percent=rng.choice([None, Decimal(rng.randint(0, 400)) / 10]),
        mitoses_per_10hpf=rng.choice([None, rng.randint(0, 40)]),
        extent=extent,
        metastases_resectable=(
            rng.choice(engine.RESECTABILITY)[0] if extent == "distant_metastases" else "unknown"
        ),
        ssr_imaging=rng.choice(engine.SSR_IMAGING)[0],
    )


def reference(i: int) -> str:
    """SYN-00000 to SYN-99999, then SYN-1-00000 on: six digits in a row would look like a
    patient's number, which a case's reference refuses."""
    return f"SYN-{i:05d}" if i < 100_000 else f"SYN-{i // 100_000}-{i % 100_000:05d}"


class Command(BaseCommand):
    help = "Create N synthetic saved cases for a clinician (for measurements, never real data)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--distinct",
            type=int,
            default=DISTINCT,
            help=f"How many distinct cases to make (default {DISTINCT}); the rest repeat them.",
        )

    def handle(self, *args, username, count, seed, distinct, **options):
        if count < 1:
            raise CommandError("The count must be at least 1.")
        if distinct < 1:
            raise CommandError("The number of distinct cases must be at least 1.")
        try:
            clinician = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No account named {username!r}.") from error
        text = content.published()
        if text is None:
            raise CommandError("No guideline is published.")
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        shown: list[recommendation.Recommendation] = [
            recommendation.build(facts=synthetic_facts(rng), text=text)
            for _ in range(min(count, distinct))
        ]
        now = timezone.now()
        # Exactly the rows Case.record saves, checked as it checks them, but written in
        # batches so that a million cases take minutes, not hours; all or nothing.
        with transaction.atomic():
            batch = []
            for i in range(count):
                case = Case.of(
                    clinician=clinician,
                    guideline_version_id=text.version_id,
                    shown=shown[i % len(shown)],
                    run_token=uuid.uuid4(),
                    reference=reference(i),
                    created_at=now - timedelta(minutes=37 * i),
                )
                case.validate_columns()
                batch.append(case)
                if len(batch) == BATCH:
                    Case.objects.bulk_create(batch)
                    batch = []
            Case.objects.bulk_create(batch)
        refresh_statistics()
        self.stdout.write(self.style.SUCCESS(f"Created {count} synthetic cases for {username}."))


def refresh_statistics() -> None:
    """Bring the database's statistics up to date after the bulk load.

    A live database's autovacuum (PostgreSQL) keeps them current; straight after a bulk
    load they are missing, and PostgreSQL's visibility map is not yet set, so counting a
    clinician's cases read every row of the table instead of the index alone, several times
    slower. Measurements should see the history as a running database serves it.
    """
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"VACUUM ANALYZE {table}")  # not allowed inside a transaction
        else:
            cursor.execute(f"ANALYZE {table}")
