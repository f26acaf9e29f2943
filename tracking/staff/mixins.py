"""Building blocks every Doorstep admin class is made of, so each rule is written once."""
from django.contrib import admin


class ReadOnlyMixin:
    """For rows that services and jobs write (logs, ledgers, statistics): staff read them, nobody
    adds, edits or deletes them by hand. Works on ModelAdmin and inline classes alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True
