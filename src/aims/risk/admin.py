"""Django admin for operators: read-mostly views of the risk area (changes go through the services
so they are audited; the admin is for looking, not editing)."""

from django.contrib import admin

from .models import (
    ImpactAssessment,
    RecomputeJob,
    Risk,
    RiskAcceptance,
    RiskCategory,
    RiskMethodology,
    RiskTreatment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RiskMethodology)
class RiskMethodologyAdmin(ReadOnlyAdmin):
    list_display = ("organization", "number", "name", "size", "appetite", "is_current", "created_at")
    list_filter = ("is_current", "size")


@admin.register(RiskCategory)
class RiskCategoryAdmin(ReadOnlyAdmin):
    list_display = ("organization", "key", "name", "builtin")


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = (
        "organization",
        "number",
        "title",
        "inherent_level",
        "residual_level",
        "status",
        "next_review_date",
    )
    list_filter = ("status", "inherent_level")
    search_fields = ("title",)
    list_select_related = ("organization",)


@admin.register(RiskTreatment)
class RiskTreatmentAdmin(ReadOnlyAdmin):
    list_display = ("organization", "risk", "title", "status", "due_date")


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ReadOnlyAdmin):
    list_display = (
        "organization",
        "risk",
        "level_name",
        "above_appetite",
        "accepted_by",
        "expires_on",
        "status",
    )


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("organization", "ai_system", "number", "status", "overall_level", "approved_at")


@admin.register(RecomputeJob)
class RecomputeJobAdmin(ReadOnlyAdmin):
    list_display = ("organization", "methodology", "status", "done", "total", "changed", "created_at")
