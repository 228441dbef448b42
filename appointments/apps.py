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

        # A site's page links to online booking only where it is on.
        from django.db.models.signals import post_delete, post_save

        from appointments.models import BookingSettings
        from network.signals import directory_changed

        post_save.connect(directory_changed, sender=BookingSettings, dispatch_uid="public:booking")
        post_delete.connect(
            directory_changed, sender=BookingSettings, dispatch_uid="public-delete:booking"
        )
