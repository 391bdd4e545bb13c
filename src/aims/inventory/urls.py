"""Pages of clause 4, mounted at /inventory/.

Actions on the whole inventory sit under `systems/-/` (as GitLab does): a slug can never contain a
slash, so no AI system's slug, not even "new" or "export", can collide with them."""

from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("systems/", views.system_list, name="system-list"),
    path("systems/-/new/", views.system_create, name="system-create"),
    path("systems/-/export/", views.system_export, name="system-export"),
    path("systems/-/import/", views.system_import, name="system-import"),
    path("systems/<slug:slug>/", views.system_detail, name="system-detail"),
    path("systems/<slug:slug>/history/", views.system_history, name="system-history"),
    path("systems/<slug:slug>/edit/", views.system_edit, name="system-edit"),
    path("systems/<slug:slug>/delete/", views.system_delete, name="system-delete"),
    path("parties/", views.party_list, name="party-list"),
    path("parties/new/", views.party_create, name="party-create"),
    path("parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path("parties/<int:pk>/delete/", views.party_delete, name="party-delete"),
    path("issues/", views.issue_list, name="issue-list"),
    path("issues/new/", views.issue_create, name="issue-create"),
    path("issues/<int:pk>/edit/", views.issue_edit, name="issue-edit"),
    path("issues/<int:pk>/delete/", views.issue_delete, name="issue-delete"),
    path("scope/", views.scope, name="scope"),
    path("scope/edit/", views.scope_edit, name="scope-edit"),
    path("scope/generate/", views.scope_generate, name="scope-generate"),
    path("scope/v<int:number>/", views.scope_version, name="scope-version"),
    path("scope/v<int:number>/approve/", views.scope_approve, name="scope-approve"),
]
