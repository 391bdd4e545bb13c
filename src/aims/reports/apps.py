from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "aims.reports"
    label = "reports"
