"""Staff pages of the directory: services, verification, proposals, capacity."""

from django.urls import path

from himaya.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("new/", views.service_create, name="service_create"),
    path("stale/", views.stale_list, name="stale_list"),
    path("mine/", views.my_organisation, name="my_organisation"),
    path("proposals/", views.proposal_queue, name="proposal_queue"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/approve/", views.proposal_approve, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("locations/<uuid:pk>/edit/", views.location_edit, name="location_edit"),
    path("<uuid:pk>/", views.service_detail, name="service_detail"),
    path("<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("<uuid:pk>/status/", views.service_status, name="service_status"),
    path("<uuid:pk>/alert/", views.service_alert, name="service_alert"),
    path("<uuid:pk>/verify/", views.service_verify, name="service_verify"),
    path("<uuid:pk>/hours/", views.service_hours, name="service_hours"),
    path("<uuid:pk>/capacity/", views.service_capacity, name="service_capacity"),
    path("<uuid:pk>/areas/", views.service_areas, name="service_areas"),
    path("<uuid:pk>/locations/new/", views.location_create, name="location_create"),
    path("<uuid:pk>/phones/new/", views.phone_add, name="phone_add"),
    path("phones/<uuid:pk>/edit/", views.phone_edit, name="phone_edit"),
    path("phones/<uuid:pk>/remove/", views.phone_remove, name="phone_remove"),
    path("<uuid:pk>/propose/", views.proposal_create, name="proposal_create"),
]

# Import, export and the partners' template (himaya.directory.transfer_views).
from himaya.directory import transfer_views  # noqa: E402

urlpatterns += [
    path("transfer/import/", transfer_views.import_page, name="transfer_import"),
    path("transfer/import/check/", transfer_views.import_check, name="transfer_import_check"),
    path("transfer/import/confirm/", transfer_views.import_confirm, name="transfer_import_confirm"),
    path("transfer/import/discard/", transfer_views.import_discard, name="transfer_import_discard"),
    path("transfer/export/", transfer_views.export_page, name="transfer_export"),
    path("transfer/export/download/", transfer_views.export_download, name="transfer_export_download"),
    path(
        "transfer/template.xlsx",
        transfer_views.template_download,
        {"ext": "xlsx"},
        name="transfer_template_xlsx",
    ),
    path(
        "transfer/template.csv",
        transfer_views.template_download,
        {"ext": "csv"},
        name="transfer_template_csv",
    ),
]
