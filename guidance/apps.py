from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GuidanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guidance"
    verbose_name = "Guidance"

    def ready(self) -> None:
        # Imported for what they register: system checks, security log receivers.
        from guidance import checks, middleware, security  # noqa: F401
        from guidance.installing import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)
