from django.contrib import admin
from django.urls import path, re_path

from guidance import api, views
from guidance.wizard import CaseWizard

case_wizard = CaseWizard.as_view(url_name="case-new-step", done_step_name="done")

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", case_wizard, name="case-new"),
    re_path(r"^cases/new/(?P<step>[a-z_]+)/$", case_wizard, name="case-new-step"),
    path("api/v1/recommendations", api.recommendations, name="api-recommendations"),
    path("admin/", admin.site.urls),
]
