from django.contrib import admin

from .models import (
    KPI,
    Audit,
    AuditProgramme,
    CorrectiveAction,
    Feedback,
    Finding,
    Improvement,
    Incident,
    ManagementReview,
    Nonconformity,
    Task,
)

for model in (
    Incident,
    Feedback,
    Nonconformity,
    CorrectiveAction,
    Improvement,
    AuditProgramme,
    Audit,
    Finding,
    ManagementReview,
    KPI,
    Task,
):
    admin.site.register(model)
