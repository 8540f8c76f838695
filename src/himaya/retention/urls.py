"""Routes of retention policies and erasure requests. Every route has its row in tests/security/rows_retention.py."""

from django.urls import URLPattern, path

import himaya.cases.urls  # noqa: F401  (registers the <survivor:…> converter first)
from himaya.retention import views

app_name = "retention"

urlpatterns: list[URLPattern] = [
    path("policies/", views.policy_list, name="policies"),
    path("erasure/", views.erasure_queue, name="erasure_queue"),
    path("erasure/new/<survivor:code>/", views.erasure_new, name="erasure_new"),
    path("erasure/<int:pk>/", views.erasure_detail, name="erasure_detail"),
    path("erasure/<int:pk>/approve/", views.erasure_approve, name="erasure_approve"),
    path("erasure/<int:pk>/reject/", views.erasure_reject, name="erasure_reject"),
]
