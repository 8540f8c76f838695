"""Routes of case management under /<lang>/cases/. Cases are addressed as <case:code>, survivors as
<survivor:code>. Every route has its row in tests/security/rows_cases_*.py."""

from django.urls import URLPattern, register_converter

from himaya.cases.converters import CaseCodeConverter, SurvivorCodeConverter

# Before the views are imported: their modules build their routes (with these converters) at import time.
register_converter(CaseCodeConverter, "case")
register_converter(SurvivorCodeConverter, "survivor")

from himaya.cases.views import (  # noqa: E402
    cases,
    closure,
    consents,
    documents,
    incidents,
    intake,
    notes,
    queues,
    survivors,
)

app_name = "cases"

urlpatterns: list[URLPattern] = [
    *queues.urlpatterns,
    *survivors.urlpatterns,
    *intake.urlpatterns,
    *cases.urlpatterns,
    *incidents.urlpatterns,
    *consents.urlpatterns,
    *notes.urlpatterns,
    *documents.urlpatterns,
    *closure.urlpatterns,
]
