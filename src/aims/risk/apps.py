from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "aims.risk"
    label = "risk"
