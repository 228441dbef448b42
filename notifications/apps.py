from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registers the system checks on the SMS settings (a typo stops `check`, not a booking).
        from notifications import checks  # noqa: F401
