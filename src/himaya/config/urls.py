"""Every route of Himaya. Each one has its row in tests/security/test_permission_matrix.py."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic.base import RedirectView

from himaya.api.urls import api
from himaya.core import views as core_views

handler403 = "himaya.core.views.error_403"
handler404 = "himaya.core.views.error_404"
handler500 = "himaya.core.views.error_500"

urlpatterns = [
    path("", RedirectView.as_view(url="/fr/", permanent=False), name="root"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path("accounts/", include("himaya.accounts.auth_urls")),
    path("", include("himaya.accounts.urls")),
    path("", include("himaya.api.token_urls")),
    path("help/", include("himaya.directory.public_urls")),
    path("directory/reports/", include("himaya.directory.report_urls")),
    path("directory/", include("himaya.directory.urls")),
    path("cases/", include("himaya.cases.urls")),
    path("cases/", include("himaya.assessments.urls")),
    path("notifications/", include("himaya.notifications.urls")),
    path("retention/", include("himaya.retention.urls")),
    prefix_default_language=True,
)
