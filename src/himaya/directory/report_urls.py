"""Referral pathway sheets (PDF) and the gap analysis."""

from django.urls import path

from himaya.directory import report_views

app_name = "directory_reports"

urlpatterns = [
    path("pathway/", report_views.pathway_form, name="pathway"),
    path("pathway/pdf/", report_views.pathway_pdf, name="pathway_pdf"),
    path("gaps/", report_views.gap_analysis, name="gaps"),
    path("gaps/export/<slug:export_format>/", report_views.gap_export, name="gaps_export"),
]
