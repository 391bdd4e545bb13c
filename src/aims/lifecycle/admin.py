"""Read-mostly admin for operators; day-to-day work happens in the pages and the API (which audit)."""

from django.contrib import admin

from .models import Dataset, Deployment, Evaluation, GateCriterion, GateReview, ModelVersion, Vendor


@admin.register(GateCriterion)
class GateCriterionAdmin(admin.ModelAdmin):
    list_display = ("organization", "stage", "key", "kind", "condition", "active")
    list_filter = ("stage", "kind", "active")


@admin.register(GateReview)
class GateReviewAdmin(admin.ModelAdmin):
    list_display = ("organization", "ai_system", "from_stage", "to_stage", "outcome", "moved", "created_at")
    list_filter = ("outcome",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # gate reviews are records: never edited


for model in (Dataset, ModelVersion, Evaluation, Vendor, Deployment):
    admin.site.register(model)
