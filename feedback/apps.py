from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from tracking import signals

        from feedback.receivers import on_shipment_delivered

        signals.shipment_delivered.connect(on_shipment_delivered, dispatch_uid="feedback.schedule_survey")
