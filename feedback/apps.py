from django.apps import AppConfig


def _staff_permissions():
    from tracking.staff.roles import AppStaffPermissions

    return AppStaffPermissions(app_label="feedback", agent_change=frozenset({"followupcase"}))


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from tracking import extensions, signals

        from feedback import demo, page_blocks
        from feedback.receivers import on_shipment_delivered

        signals.shipment_delivered.connect(on_shipment_delivered, dispatch_uid="feedback.schedule_survey")
        extensions.ORDER_PAGE_BLOCKS.register(page_blocks.survey_block, key="feedback.survey")
        extensions.STAFF_PERMISSIONS.register(_staff_permissions, key="feedback")
        extensions.DEMO_SEEDERS.register(demo.seed_surveys, key="feedback.surveys")
