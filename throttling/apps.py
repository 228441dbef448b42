from django.apps import AppConfig


class ThrottlingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "throttling"
    verbose_name = "Rate limits"
