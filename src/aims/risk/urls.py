from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("methodology/", views.methodology, name="methodology"),
    path("methodology/edit/", views.methodology_edit, name="methodology-edit"),
    path("methodology/versions/<int:number>/", views.methodology_version, name="methodology-version"),
    path("risks/", views.risk_list, name="risk-list"),
    path("risks/new/", views.risk_create, name="risk-create"),
    path("risks/heatmap/", views.heatmap, name="heatmap"),
    path("risks/library/", views.from_library, name="library"),
    path("risks/export/<str:fmt>/", views.risk_export, name="risk-export"),
    path("risks/register.pdf", views.register_pdf, name="register-pdf"),
    path("risks/heatmap.pdf", views.heatmap_pdf, name="heatmap-pdf"),
    path("risks/treatment-plan.pdf", views.treatment_plan_pdf, name="treatment-plan-pdf"),
    path("risks/<int:number>/", views.risk_detail, name="risk-detail"),
    path("risks/<int:number>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<int:number>/delete/", views.risk_delete, name="risk-delete"),
    path("risks/<int:number>/review/", views.risk_review, name="risk-review"),
    path("risks/<int:number>/accept/", views.risk_accept, name="risk-accept"),
    path("risks/<int:number>/treatments/", views.treatment_create, name="treatment-create"),
    path("risks/<int:number>/approve-plan/", views.approve_plan, name="approve-plan"),
    path("treatments/<int:pk>/edit/", views.treatment_edit, name="treatment-edit"),
    path("acceptances/<int:pk>/revoke/", views.acceptance_revoke, name="acceptance-revoke"),
    path("reviews/", views.due_reviews, name="due-reviews"),
    path("assessments/", views.assessment_list, name="assessment-list"),
    path("assessments/new/", views.assessment_create, name="assessment-create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<int:pk>/report.pdf", views.assessment_pdf, name="assessment-pdf"),
    path("assessments/<int:pk>/<str:action>/", views.assessment_action, name="assessment-action"),
]
