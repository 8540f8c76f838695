from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "himaya.assessments"
    label = "assessments"
    verbose_name = _("Assessments and plans")

    def ready(self) -> None:
        from himaya.assessments import policies  # noqa: F401  (registers the rules)
