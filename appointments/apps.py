from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        # Residents' names, phones and emails: erased on schedule, found for a privacy request.
        from appointments.personal_data import APPOINTMENTS
        from privacy.registry import personal_data

        personal_data.register(APPOINTMENTS)
