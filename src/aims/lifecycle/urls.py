"""Pages of the lifecycle area, mounted at /lifecycle/."""

from django.urls import path

from . import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.board, name="board"),
    path("criteria/", views.criteria, name="criteria"),
    path("criteria/<int:pk>/toggle/", views.criterion_toggle, name="criterion-toggle"),
    path("procedures/", views.procedures, name="procedures"),
    path("procedures/<slug:stage>/<slug:key>/", views.procedure_detail, name="procedure-detail"),
    path("systems/<slug:slug>/", views.system_gate, name="system-gate"),
    path("systems/<slug:slug>/move/", views.system_move, name="system-move"),
    path("systems/<slug:slug>/exception/", views.system_exception, name="system-exception"),
    path("systems/<slug:slug>/evidence/<int:criterion_id>/", views.evidence_add, name="evidence-add"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/pdf/", views.review_pdf, name="review-pdf"),
    path("datasets/", views.dataset_list, name="dataset-list"),
    path("datasets/-/new/", views.dataset_create, name="dataset-create"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset-detail"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset-edit"),
    path("datasets/<slug:slug>/agreement/", views.dataset_agreement, name="dataset-agreement"),
    path("datasets/<slug:slug>/versions/<str:label>/sample/", views.dataset_sample, name="dataset-sample"),
    path("models/", views.model_list, name="model-list"),
    path("models/new/", views.model_create, name="model-create"),
    path("models/<int:pk>/", views.model_detail, name="model-detail"),
    path("models/<int:pk>/approve/", views.model_approve, name="model-approve"),
    path("models/<int:pk>/evaluations/upload/", views.evaluation_upload, name="evaluation-upload"),
    path("models/<int:pk>/card.<str:fmt>", views.model_card, name="model-card"),
    path("vendors/", views.vendor_list, name="vendor-list"),
    path("vendors/-/new/", views.vendor_create, name="vendor-create"),
    path("vendors/<slug:slug>/", views.vendor_detail, name="vendor-detail"),
    path("vendors/<slug:slug>/edit/", views.vendor_edit, name="vendor-edit"),
    path("deployments/", views.deployment_list, name="deployment-list"),
    path("deployments/new/", views.deployment_create, name="deployment-create"),
    path("deployments/<int:pk>/", views.deployment_detail, name="deployment-detail"),
    path("deployments/<int:pk>/edit/", views.deployment_edit, name="deployment-edit"),
    path("deployments/<int:pk>/logs/", views.deployment_logs, name="deployment-logs"),
    path("deployments/<int:pk>/<str:action>/", views.deployment_action, name="deployment-action"),
]
