"""Pages of the compliance area, mounted at /compliance/."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.compliance_status, name="status"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/-/new/", views.framework_create, name="framework-create"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<slug:slug>/requirements/new/", views.requirement_create, name="requirement-create"),
    path("frameworks/<slug:slug>/delete/", views.framework_delete, name="framework-delete"),
    path("frameworks/<slug:slug>/oscal/", views.framework_oscal, name="framework-oscal"),
    path("controls/", views.control_list, name="control-list"),
    path("controls/new/", views.control_create, name="control-create"),
    path("controls/library/", views.control_library, name="control-library"),
    path("controls/<int:pk>/", views.control_detail, name="control-detail"),
    path("controls/<int:pk>/edit/", views.control_edit, name="control-edit"),
    path("controls/<int:pk>/delete/", views.control_delete, name="control-delete"),
    path("controls/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("soa/", views.soa, name="soa"),
    path("soa/draft/", views.soa_start, name="soa-start"),
    path("soa/v<int:number>/", views.soa_version, name="soa-version"),
    path("soa/v<int:number>/entries/<int:pk>/", views.soa_entry_edit, name="soa-entry-edit"),
    path("soa/v<int:number>/approve/", views.soa_approve, name="soa-approve"),
    path("soa/v<int:number>/export/<str:fmt>/", views.soa_export, name="soa-export"),
    path("systems/", views.classification_list, name="classification-list"),
    path("systems/<slug:slug>/classification/", views.classification, name="classification"),
    path("systems/<slug:slug>/obligations/<int:pk>/", views.obligation_edit, name="obligation-edit"),
    path("gap/", views.gap_list, name="gap-list"),
    path("gap/<int:pk>/", views.gap_detail, name="gap-detail"),
    path("gap/<int:pk>/export/", views.gap_export, name="gap-export"),
    path("readiness/", views.readiness_page, name="readiness"),
    path("readiness/pdf/", views.readiness_pdf, name="readiness-pdf"),
    path("regulations/", views.regulation_list, name="regulation-list"),
    path("regulations/<int:pk>/", views.regulation_edit, name="regulation-edit"),
]
