from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        # Participants' names and contacts: erased on schedule, found for a privacy request.
        from learning.personal_data import REGISTRATIONS
        from privacy.registry import personal_data

        personal_data.register(REGISTRATIONS)
