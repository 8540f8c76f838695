from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "himaya.cases"
    label = "cases"
    verbose_name = _("Case management")
    demo_loader = "himaya.cases.demo.load"  # `himaya demo load`: the fictional demo cases

    def ready(self) -> None:
        from himaya.cases import policies  # noqa: F401  (registers the rules)
