"""Admin for staff memberships (who works for which merchant, in which role, up to which amount) and
the user and group pages, which belong to superusers: a merchant's staff manage no accounts."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from tracking.staff.mixins import InstallWideAdminMixin, MerchantScopedAdminMixin, ScopedAdmin
from tracking.staff.models import StaffMembership


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedAdmin):
    list_display = ["user", "merchant", "role", "money_limit", "created_at"]
    list_filter = ["role", "merchant"]
    list_select_related = ["user", "merchant"]
    search_fields = ["user__username", "user__email", "merchant__name", "merchant__slug"]
    autocomplete_fields = ["merchant"]
    raw_id_fields = ["user"]


class StaffMembershipInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = StaffMembership
    extra = 0
    fields = ["merchant", "role", "money_limit"]
    autocomplete_fields = ["merchant"]


User = get_user_model()
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class DoorstepUserAdmin(InstallWideAdminMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, StaffMembershipInline]


@admin.register(Group)
class DoorstepGroupAdmin(InstallWideAdminMixin, GroupAdmin):
    pass
