"""Support staff roles: the groups "Support agent" and "Support lead", re-synced after every migrate.

Each app declares what the roles may do with its own models by registering an AppStaffPermissions
on tracking.extensions.STAFF_PERMISSIONS in its AppConfig.ready(), so this module names no other
app's models."""
from __future__ import annotations

from dataclasses import dataclass

from tracking import extensions

SUPPORT_AGENT = "Support agent"
SUPPORT_LEAD = "Support lead"


@dataclass(frozen=True)
class AppStaffPermissions:
    app_label: str
    # Agents view every model of the app and change these (model names, lower case); they configure
    # nothing and delete nothing.
    agent_change: frozenset[str] = frozenset()
    # Further permission codenames agents hold (an app's own custom permissions).
    agent_extra: frozenset[str] = frozenset()
    # Leads hold every permission of the app except these codenames.
    lead_excluded: frozenset[str] = frozenset()


def declared_permissions() -> list[AppStaffPermissions]:
    return [provide() for _, provide in extensions.STAFF_PERMISSIONS.implementations()]


def sync_support_groups(group_model, permission_model) -> None:
    agent, _ = group_model.objects.get_or_create(name=SUPPORT_AGENT)
    lead, _ = group_model.objects.get_or_create(name=SUPPORT_LEAD)
    agent_perms, lead_perms = [], []
    for declared in declared_permissions():
        perms = list(permission_model.objects.filter(content_type__app_label=declared.app_label)
                     .select_related("content_type"))
        agent_perms += [p for p in perms if p.codename.startswith("view_") or p.codename in declared.agent_extra
                        or (p.codename.startswith("change_") and p.content_type.model in declared.agent_change)]
        lead_perms += [p for p in perms if p.codename not in declared.lead_excluded]
    agent.permissions.set(agent_perms)
    lead.permissions.set(lead_perms)
