from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        # Every change to a fact (a contact, a loan, a registration, a help card count) marks its
        # site and day as pending; `insights.rollups.refresh` recomputes them.
        from insights import tracking

        tracking.connect()
