from django.contrib import admin

from .models import (
    Communication,
    Competence,
    Document,
    DocumentVersion,
    Objective,
    ResourceAllocation,
    Responsibility,
    TrainingRecord,
)

for model in (
    Document,
    DocumentVersion,
    Responsibility,
    Objective,
    Competence,
    TrainingRecord,
    Communication,
    ResourceAllocation,
):
    admin.site.register(model)
