from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guidance"
    verbose_name = "Guidance"

    def ready(self) -> None:
        from guidance import checks  # noqa: F401 - registers the system checks
