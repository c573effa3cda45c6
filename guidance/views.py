from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guidance.models import GuidelineVersion


def home(request: HttpRequest) -> HttpResponse:
    version = GuidelineVersion.objects.published().select_related("guideline").first()
    return render(request, "guidance/home.html", {"version": version})
