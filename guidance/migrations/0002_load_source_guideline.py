"""Load the source guideline as the first published version.

Each section's text is cut out of guidance/data/gep-net-management.txt between a start
and an end phrase, so it is the source's words verbatim (typos included). The migration
keeps its own copy of the table so later code changes cannot alter what it loads.
"""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

SOURCE = Path(__file__).resolve().parent.parent / "data" / "gep-net-management.txt"

TITLE = "Management of neuroendocrine tumours of the gastrointestinal tract and pancreas"
CITATION = "Source guideline: management of GEP-NETs, version 1"

# (slug, group, heading, first words, last words) in the order of the source.
SECTIONS = [
    ("overview", "", "Overview",
     "The management of neuroendocrine", "extent of disease."),
    ("insulinoma-local-excision", "Curative surgery", "Insulinoma under 2 cm: local excision",
     "Insulinoma is the most common", "local surgical excision is usually curative."),
    ("insulinoma-partial-pancreatectomy", "Curative surgery",
     "Larger insulinoma: partial pancreatectomy",
     "Larger lesions require", "high risk of local recurrence."),
    ("curative-excision", "Curative surgery", "Localised tumours: curative surgical excision",
     "Localised tumours should be managed", "depends on the location of the tumour"),
    ("pancreatoduodenectomy", "Curative surgery",
     "Tumour of the pancreatic head: pancreatoduodenectomy",
     "eg. for gastrinoma", "a pancreatoduodenectomy is performed."),
    ("local-excision", "Curative surgery", "Rectal and appendiceal NETs: local excision",
     "Rectal and appendiceal NETs", "can be locally excised safely"),
    ("lymph-node-dissection", "Curative surgery", "Other sites: lymph node dissection",
     "whereas those in other sites", "require a lymph node dissection."),
    ("metastatic-incurable", "Metastatic disease", "Metastatic disease",
     "Metastatic tumours are incurable", "management involves:"),
    ("debulking-surgery", "Control of hormonal symptoms",
     "Surgical excision of macroscopic disease",
     "Surgical excision of macroscopic disease", "symptoms related to hormone secretion"),
    ("somatostatin-analogue", "Control of hormonal symptoms",
     "Somatostatin analogue (octreotide)",
     "Octreotide, a somatostatin analogue", "reduce the intensity of symptoms."),
    ("interferon", "Control of hormonal symptoms", "Interferon",
     "Interferon has been used", "in the past."),
    ("pancreatic-cytotoxic", "Slowing progression", "Pancreatic NETs: systemic cytotoxic therapy",
     "Pancreatic neuroendocrine tumours may respond", "systemic cytotoxic therapy."),
    ("pancreatic-radiotherapy", "Slowing progression", "Pancreatic NETs: radiotherapy",
     "Radiotherapy may also be of use", "challenged in recent studies"),
    ("cytotoxic-minimal-benefit", "Slowing progression",
     "Other gastrointestinal NETs: cytotoxic therapy",
     "Cytotoxic therapy is of minimal use", "of the gastrointestinal system"),
    ("everolimus", "Slowing progression", "Everolimus",
     "Everolimus may slow progression", "a small number of patients"),
    ("poorly-differentiated", "Poorly differentiated tumours",
     "Poorly differentiated neuroendocrine tumours",
     "These tumours have a high mitotic count", "Survival is limited."),
]

WARNINGS = {
    "grade-unknown": (
        "No Ki-67 index or mitotic count was given, so the grade is unknown. The "
        "recommendations assume a grade 1–2 tumour: obtain the Ki-67 index or mitotic count."
    ),
    "grade-discordant": (
        "The Ki-67 index and the mitotic count give different grades. The higher grade was "
        "used: verify the pathology."
    ),
    "net-g3": (
        "A well-differentiated tumour with a G3 proliferation index (WHO 2019 NET G3) is not "
        "covered by the source guideline. Discuss at the MDT."
    ),
    "differentiation-assumed": (
        "Differentiation was not known and the proliferation index is G3, so the tumour was "
        "treated as poorly differentiated, as the source defines it. Confirm the morphology."
    ),
    "poor-low-grade": (
        "A poorly differentiated tumour with a G1–2 proliferation index is an unusual "
        "combination. Confirm with pathology."
    ),
    "regional-nodes": (
        "The source guideline covers localised and metastatic disease. Regional nodal disease "
        "has been treated as resectable locoregional disease."
    ),
    "ssa-insulinoma": (
        "Somatostatin analogues can worsen hypoglycaemia in insulinoma."
    ),
    "ssr-negative": (
        "Somatostatin receptor imaging was negative. The source advises that somatostatin "
        "analogue therapy should still be attempted."
    ),
    "symptoms-non-functional": (
        "The tumour is recorded as non-functional but hormonal symptoms are present. These "
        "inputs conflict: reconcile the tumour type."
    ),
    "type-site-mismatch": (
        "This is an unusual site for this tumour type (insulinoma outside the pancreas, or "
        "gastrinoma outside the pancreas and duodenum). Confirm the site and type."
    ),
    "local-excision-size": (
        "The tumour is larger than 2 cm. The source allows local excision, but current "
        "guidance favours oncological resection above 2 cm."
    ),
    "no-symptom-guidance": (
        "The source guideline's section for patients without hormonal symptoms is empty: it "
        "gives no advice on controlling disease in these patients."
    ),
    "differentiation-unknown": (
        "Differentiation was not known. Because the proliferation index is not G3, the tumour "
        "was treated as well differentiated. Confirm the morphology."
    ),
    "resectability-unknown": (
        "Resectability of the metastases has not been assessed. Surgical excision of "
        "macroscopic disease is listed because it has not been ruled out: assess resectability "
        "at the MDT."
    ),
    "functional-without-symptoms": (
        "A functional tumour type was recorded without hormonal symptoms. These inputs "
        "conflict: reconcile the tumour type and symptoms."
    ),
}


def excerpt(source: str, first: str, last: str) -> str:
    start = source.index(first)
    end = source.index(last, start) + len(last)
    return source[start:end]


def load(apps, schema_editor):
    Guideline = apps.get_model("guidance", "Guideline")
    GuidelineVersion = apps.get_model("guidance", "GuidelineVersion")
    Section = apps.get_model("guidance", "Section")
    WarningText = apps.get_model("guidance", "WarningText")

    source = SOURCE.read_text(encoding="utf-8")
    guideline = Guideline.objects.create(title=TITLE, slug="gep-net-management")
    version = GuidelineVersion.objects.create(
        guideline=guideline,
        label="1",
        status="published",
        citation=CITATION,
        change_summary="The source guideline, loaded verbatim.",
        published_at=timezone.now(),
    )
    Section.objects.bulk_create(
        Section(
            version=version,
            slug=slug,
            group=group,
            heading=heading,
            text=excerpt(source, first, last),
            order=(index + 1) * 10,
        )
        for index, (slug, group, heading, first, last) in enumerate(SECTIONS)
    )
    WarningText.objects.bulk_create(
        WarningText(version=version, code=code, message=message)
        for code, message in WARNINGS.items()
    )


def unload(apps, schema_editor):
    Guideline = apps.get_model("guidance", "Guideline")
    GuidelineVersion = apps.get_model("guidance", "GuidelineVersion")
    for version in GuidelineVersion.objects.filter(guideline__slug="gep-net-management"):
        version.sections.all().delete()
        version.warnings.all().delete()
        version.delete()
    Guideline.objects.filter(slug="gep-net-management").delete()


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
