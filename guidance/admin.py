from django.contrib import admin

from guidance.models import Case, Guideline, GuidelineVersion, Section, WarningText


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "group", "heading"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(admin.ModelAdmin):
    list_display = ["guideline", "label", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["guideline"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["slug", "heading", "group", "version", "order"]
    list_filter = ["version"]
    list_select_related = ["version__guideline"]
    search_fields = ["slug", "heading", "text"]


@admin.register(WarningText)
class WarningTextAdmin(admin.ModelAdmin):
    list_display = ["code", "version"]
    list_filter = ["version"]
    list_select_related = ["version__guideline"]


admin.site.register(Guideline)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Saved cases are records: the admin can look, never change."""

    list_display = ["pk", "created_at", "clinician", "reference", "site", "grade", "extent"]
    list_filter = ["site", "extent", "grade"]
    list_select_related = ["clinician"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
