from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "aims.governance"
    label = "governance"
