from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "himaya.directory"
    label = "directory"
    verbose_name = _("Directory of actors")
    # Called by `himaya demo load` (accounts discovers it without importing the directory).
    demo_loader = "himaya.directory.demo.load"

    def ready(self) -> None:
        from himaya.directory import policies  # noqa: F401  (registers the rules)
