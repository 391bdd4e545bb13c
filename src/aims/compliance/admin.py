"""Read-mostly admin views for operators. Writes go through the services (pages, API, CLI)."""

from django.contrib import admin

from .models import (
    CatalogChange,
    Classification,
    Control,
    Framework,
    GapAssessment,
    Regulation,
    Requirement,
    SoA,
)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "version", "kind", "organization", "loaded_at")
    list_filter = ("kind",)
    search_fields = ("slug", "name")
    readonly_fields = [f.name for f in Framework._meta.fields]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("ref_id", "title", "kind", "framework")
    list_filter = ("framework", "kind")
    search_fields = ("ref_id", "title")
    readonly_fields = [f.name for f in Requirement._meta.fields]


for model in (Control, SoA, Classification, GapAssessment, Regulation, CatalogChange):
    admin.site.register(
        model, list_display=("__str__",), readonly_fields=[f.name for f in model._meta.fields]
    )
