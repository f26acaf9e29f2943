from django.apps import AppConfig


def _staff_permissions():
    from tracking.staff.roles import AppStaffPermissions

    return AppStaffPermissions(
        app_label="returns",
        # Agents work returns (approve, receive, inspect) but move no money: issue_refund,
        # issue_store_credit and approve_claim are not in agent_extra, so only leads hold them, as leads
        # hold every permission of the app not excluded below.
        agent_change=frozenset({"returnrequest", "returnline"}),
        agent_extra=frozenset(),
        # Money approvals are written by the services (asked for, approved, refused), never by hand.
        lead_excluded=frozenset({"add_moneyapproval", "change_moneyapproval", "delete_moneyapproval"}),
    )


def _seed_claims(*, now):
    from returns.claims.demo import seed_claims

    return seed_claims(now=now)


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self):
        from returns import demo, hooks, receivers
        from returns.claims import hooks as claim_hooks
        from tracking import extensions, signals

        # shipment_delivered is also announced as a status change to "delivered"; one receiver is enough.
        signals.shipment_status_changed.connect(receivers.on_shipment_status_changed,
                                                dispatch_uid="returns.on_shipment_status_changed")
        extensions.ORDER_LINKS.register(hooks.order_links, key="returns.start")
        extensions.PARCEL_ACTIONS.register(claim_hooks.claim_actions, key="returns.claim")
        extensions.DEMO_SEED.register(_seed_claims, key="returns.claims")
        extensions.ORDER_TROUBLES.register(hooks.order_has_open_return, key="returns.open_return")
        extensions.SURVEY_HOLDS.register(hooks.open_return_blocks_survey, key="returns.open_return")
        extensions.STORE_CREDIT.register(hooks.grant_store_credit, key="returns.store_credit")
        extensions.PLATFORM_REFUNDS.register(hooks.platform_refund_record, key="returns.platform_refunds")
        extensions.STAFF_PERMISSIONS.register(_staff_permissions, key="returns")
        extensions.DEMO_SEEDERS.register(demo.seed_returns, key="returns.returns")
