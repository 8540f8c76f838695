from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "himaya.retention"
    label = "retention"
    verbose_name = _("Retention and erasure")

    def ready(self) -> None:
        from himaya.retention import policies  # noqa: F401  (registers the rules)
