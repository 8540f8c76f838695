from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "himaya.directory"
    label = "directory"
    verbose_name = _("Directory of actors")

    def ready(self) -> None:
        from himaya.directory import policies  # noqa: F401  (registers the rules)
