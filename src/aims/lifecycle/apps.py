from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "aims.lifecycle"
    label = "lifecycle"
