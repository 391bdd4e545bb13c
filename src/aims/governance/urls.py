from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("documents/", views.document_list, name="document-list"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/ai-policy-template/", views.document_ai_policy, name="document-ai-policy"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("documents/<slug:slug>/edit/", views.document_edit, name="document-edit"),
    path("documents/<slug:slug>/draft/", views.version_edit, name="version-edit"),
    path("documents/<slug:slug>/versions/", views.version_create, name="version-create"),
    path(
        "documents/<slug:slug>/versions/<int:number>/transition/",
        views.version_transition,
        name="version-transition",
    ),
    path("documents/<slug:slug>/acknowledge/", views.document_acknowledge, name="document-acknowledge"),
    path("raci/", views.raci, name="raci"),
    path("objectives/", views.objective_list, name="objective-list"),
    path("objectives/new/", views.objective_create, name="objective-create"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_create, name="training-create"),
    path("communication/", views.communication_list, name="communication-list"),
    path("communication/new/", views.communication_create, name="communication-create"),
    path("resources/", views.resource_list, name="resource-list"),
    path("resources/new/", views.resource_create, name="resource-create"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path(
        "attachments/<slug:owner_type>/<int:owner_id>/",
        views.attachment_add,
        name="attachment-add",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
]
