"""Routes of assessments and plans under /<lang>/cases/<case:code>/… (the converters are the cases app's).
Every route has its row in tests/security/rows_assessments_*.py."""

from django.urls import URLPattern

import himaya.cases.urls  # noqa: F401  (registers the <case:…> and <survivor:…> converters first)
from himaya.assessments.views import plans, risk, screening

app_name = "assessments"

urlpatterns: list[URLPattern] = [*screening.urlpatterns, *risk.urlpatterns, *plans.urlpatterns]
