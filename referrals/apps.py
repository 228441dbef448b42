from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # Residents' names, phones, emails and questions: erased on schedule, found on request.
        from privacy.registry import personal_data
        from referrals.personal_data import REFERRALS

        personal_data.register(REFERRALS)
