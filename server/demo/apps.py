from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the `demo` command and the seeding `server.rundemo` runs."""

    name = "server.demo"
    label = "demo"
    verbose_name = "Demo"
