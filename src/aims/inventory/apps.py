from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "aims.inventory"
    label = "inventory"
