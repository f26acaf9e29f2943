"""Subscriptions to tracking's facts (connected in FeedbackConfig.ready)."""


def on_shipment_delivered(sender, shipment_id, merchant_id, **kwargs):
    from feedback.tasks import schedule_survey

    # tracking sends this after its transaction committed; delay_on_commit also covers callers
    # that announce inside an outer transaction.
    schedule_survey.delay_on_commit(shipment_id)
