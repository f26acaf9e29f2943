"""Building blocks every Doorstep admin class is made of, so each rule is written once."""
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from tracking.staff.scoping import merchant_id_of, merchant_path, scope_by_path, scope_related
from tracking.staff.selectors import merchant_ids_for


class ReadOnlyMixin:
    """For rows that services and jobs write (logs, ledgers, statistics): staff read them, nobody
    adds, edits or deletes them by hand. Works on ModelAdmin and inline classes alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-object filter offering only what the user may see: their merchants, rows of their
    merchants, or (for anything else, e.g. assignees) the values present in their own rows."""

    def field_choices(self, field, request, model_admin):
        ids = merchant_ids_for(request.user)
        if ids is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = field.related_model
        if merchant_path(related) is not None:
            allowed = scope_related(related._default_manager.all(), ids).values("pk")
        else:  # not a merchant's row (e.g. an assignee): the values the user's own rows hold
            allowed = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": allowed})


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id box names the chosen row next to it; it names only rows the user may see, so a
    typed-in id of another merchant's row is neither described nor confirmed."""

    def __init__(self, rel, admin_site, queryset, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class MerchantScopedAdminMixin:
    """Staff see and change only the rows of the merchants they are members of (superusers: all).

    Each admin (or inline) declares how its rows reach their merchant::

        class ShipmentLineInline(MerchantScopedAdminMixin, admin.TabularInline):
            merchant_field = "shipment__merchant"

    and the mixin applies that one path to the changelist and its counts and date hierarchy, search
    (which is also what the autocomplete endpoint runs), change / delete / history pages (a foreign
    or unknown id is a 404 either way), admin actions (Django runs them on ``get_queryset``), list
    filter choices, the choices of every foreign-key and many-to-many field of its forms (and the
    autocomplete and raw-id widgets), and refuses to save a row for a merchant the user is not a
    member of. Works on ModelAdmin and inline classes alike. Custom views of an admin use
    ``self.get_queryset(request)`` or ``tracking.staff.selectors`` for the same rule."""

    merchant_field = "merchant"

    # --- the rule -----------------------------------------------------------------------------------
    def scope_queryset(self, request, queryset):
        return scope_by_path(queryset, self.merchant_field, merchant_ids_for(request.user))

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, self.scope_queryset(request, queryset), search_term)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Not Django's "perhaps it was deleted" redirect: the same 404 for another merchant's row
            # and for no row at all, so ids of other tenants are never confirmed.
            raise Http404("No such object.")
        return obj

    # --- filters ------------------------------------------------------------------------------------
    def get_list_filter(self, request):
        return [self._scoped_filter(item) for item in super().get_list_filter(request)]

    def _scoped_filter(self, item):
        if isinstance(item, str):
            try:
                field = get_fields_from_path(self.model, item)[-1]
            except (FieldDoesNotExist, LookupError):
                return item
            return (item, ScopedRelatedFieldListFilter) if field.is_relation else item
        if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], type):
            path, filter_class = item
            if issubclass(filter_class, admin.RelatedFieldListFilter) and not issubclass(
                    filter_class, (admin.RelatedOnlyFieldListFilter, ScopedRelatedFieldListFilter)):
                return (path, ScopedRelatedFieldListFilter)
        return item

    # --- forms --------------------------------------------------------------------------------------
    def get_field_queryset(self, db, db_field, request):
        ids = merchant_ids_for(request.user)
        queryset = super().get_field_queryset(db, db_field, request)
        if ids is None:
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return scope_related(queryset, ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if (db_field.name in self.raw_id_fields and "widget" not in kwargs
                and merchant_ids_for(request.user) is not None):
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
            kwargs["queryset"] = queryset
            kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, queryset,
                                                 using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        self.check_merchant(request, obj)
        return obj

    def check_merchant(self, request, obj):
        """Refuse (403) to write a row for a merchant the user is not a member of."""
        ids = merchant_ids_for(request.user)
        if ids is not None and merchant_id_of(obj, self.merchant_field) not in ids:
            raise PermissionDenied("You are not a member of this row's merchant.")


class InstallWideAdminMixin:
    """For rows that belong to no merchant (statistics pooled over every merchant, backtests, users
    and groups): superusers only, since every figure on them counts other merchants' data."""

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return self._superuser(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ScopedAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin for rows that belong to a merchant."""


class ScopedReadOnlyAdmin(MerchantScopedAdminMixin, ReadOnlyAdmin):
    """A read-only ModelAdmin (logs, ledgers) for rows that belong to a merchant."""


class ScopedReadOnlyInline(MerchantScopedAdminMixin, ReadOnlyInline):
    pass
