from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "lending"
    verbose_name = _("Device lending")

    def ready(self) -> None:
        # Borrowers' names and contacts: erased on schedule, found for a privacy request.
        from lending.personal_data import BORROWERS
        from privacy.registry import personal_data

        personal_data.register(BORROWERS)
