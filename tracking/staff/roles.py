"""Support staff roles. The groups are created by a data migration; their permissions are re-synced
after every migrate so models that later issues add (returns, feedback…) join the right group."""
SUPPORT_AGENT = "Support agent"
SUPPORT_LEAD = "Support lead"
STAFF_APPS = ("tracking", "returns", "feedback")

# Agents see everything in the support apps and work cases, but configure nothing and delete nothing.
AGENT_CHANGE_MODELS = {
    "order", "shipment", "customer", "deliveryrequest", "returnrequest", "returnline", "followupcase",
    "delaycase", "inboundwebhook",
}
# Leads do everything in the support apps except remove a tenant.
LEAD_EXCLUDED = {"delete_merchant", "add_merchant"}


def sync_support_groups(group_model, permission_model) -> None:
    agent, _ = group_model.objects.get_or_create(name=SUPPORT_AGENT)
    lead, _ = group_model.objects.get_or_create(name=SUPPORT_LEAD)
    perms = list(permission_model.objects.filter(content_type__app_label__in=STAFF_APPS)
                 .select_related("content_type"))
    agent_perms = [p for p in perms if p.codename.startswith("view_")
                   or (p.codename.startswith("change_") and p.content_type.model in AGENT_CHANGE_MODELS)]
    lead_perms = [p for p in perms if p.codename not in LEAD_EXCLUDED]
    agent.permissions.set(agent_perms)
    lead.permissions.set(lead_perms)
