"""Admin for merchants' service credentials: the secret is typed in once, stored encrypted, shown
back only as a masked hint; typing a new one rotates it."""
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tracking.credentials.models import ServiceCredential
from tracking.credentials.services import service_credential_set
from tracking.staff.mixins import ScopedAdmin


class ServiceCredentialForm(forms.ModelForm):
    secret = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again (only its last characters). Required when creating; "
                    "type a new one to rotate, leave empty to keep the current one."))

    class Meta:
        model = ServiceCredential
        fields = ["merchant", "service", "key_id", "config", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("secret"):
            self.add_error("secret", _("Enter the secret for this service."))
        return cleaned


@admin.register(ServiceCredential)
class ServiceCredentialAdmin(ScopedAdmin):
    form = ServiceCredentialForm
    list_display = ["merchant", "service", "key_id", "masked_secret", "is_active", "rotated_at", "updated_at"]
    list_filter = ["service", "is_active", "merchant"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "key_id"]
    readonly_fields = ["masked_secret", "rotated_at", "created_at", "updated_at"]

    @admin.display(description=_("secret"))
    def masked_secret(self, obj):
        return obj.masked_secret

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "merchant", "service"] if obj else fields

    def save_model(self, request, obj, form, change):
        secret = form.cleaned_data.get("secret", "")
        if change and not secret:
            obj.save()
            return
        if change:  # a new secret for this row: rotate in place
            obj.save()
        saved = service_credential_set(merchant=obj.merchant, service=obj.service, secret=secret,
                                       key_id=obj.key_id, config=obj.config)
        obj.pk, obj.secret_hint, obj.secret_encrypted = saved.pk, saved.secret_hint, saved.secret_encrypted
        obj._state.adding = False
        messages.success(request, _("Secret stored encrypted; it is shown only as %(mask)s from now on.")
                         % {"mask": saved.masked_secret})
