from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "aims.assurance"
    label = "assurance"
