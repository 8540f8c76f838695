"""Public "find help" pages (no login, no cookie, no third-party request)."""

from django.urls import path

from himaya.directory import public_views

app_name = "help"

urlpatterns = [
    path("", public_views.search_page, name="search"),
    path("services/<uuid:pk>/", public_views.service_detail, name="service_detail"),
    path("hotlines/", public_views.hotlines_page, name="hotlines"),
]
