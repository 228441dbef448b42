from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network of Digipunten")

    def ready(self) -> None:
        # A changed site, theme or organisation is on the public pages at the next request.
        from network import signals

        signals.connect()
