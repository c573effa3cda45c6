from django.urls import path, re_path
from django.views.decorators.cache import never_cache

from guidance import api, views
from guidance.wizard import CaseWizard

app_name = "guidance"

# Every wizard page holds the case in progress: never kept by a browser or proxy cache.
case_wizard = never_cache(
    CaseWizard.as_view(url_name="guidance:case-new-step", done_step_name="done")
)
RUN = r"^cases/new/(?P<run>[0-9a-f]{32})/"  # a run of the wizard: guidance.wizard.start_run

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    re_path(RUN + "$", case_wizard, name="case-run"),
    re_path(RUN + r"(?P<step>[a-z_]+)/$", case_wizard, name="case-new-step"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/print/", views.case_print, name="case-print"),
    path("cases/<int:pk>/recheck/", views.case_recheck, name="case-recheck"),
    path("cases/<int:pk>/delete/", views.case_delete, name="case-delete"),
    path("cases/<int:pk>/start/", views.case_start_from, name="case-start-from"),
    path("api/v1/recommendations", api.recommendations, name="api-recommendations"),
]
