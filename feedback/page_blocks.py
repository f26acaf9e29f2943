"""What feedback adds to the tracking page (registered on tracking.extensions.ORDER_PAGE_BLOCKS in
FeedbackConfig.ready): the NPS question once the order is delivered."""
from django.template.loader import render_to_string

from feedback.selectors import survey_for_order


def survey_block(request, order, token: str):
    nps = survey_for_order(order)
    if nps is None:
        return ""
    return render_to_string("feedback/partials/survey_inline.html", {"nps": nps}, request=request)
