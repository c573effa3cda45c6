from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guidance"
    verbose_name = "Guidance"

    def ready(self) -> None:
        # Imported for what they register: system checks, security log receivers.
        from guidance import checks, middleware, security  # noqa: F401
