"""A year of NPS for a demo merchant (registered on tracking.extensions.DEMO_SEEDERS): one survey for
about a third of delivered orders, answers for about half of those, scores that improve over the year
and drop for late parcels, comments in the shopper's language. Bulk inserts; nothing is sent."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from tracking.carriers import status as st
from tracking.models import Shipment

from feedback import delivery
from feedback.models import Survey, SurveyResponse

BATCH = 2000
COMMENTS = {
    "promoter": {"en": ("Arrived a day early, lovely packaging.", "Tracking page told me exactly when to be home.",
                        "Great quality, will order again.", ""),
                 "ko": ("하루 일찍 도착했어요. 포장도 꼼꼼해요.", "배송 조회가 정확해서 좋았어요.", "품질이 좋아요. 또 주문할게요.", "")},
    "passive": {"en": ("Fine, but the box was bigger than needed.", "Took a little longer than I hoped.", ""),
                "ko": ("괜찮았지만 상자가 너무 컸어요.", "생각보다 조금 늦었어요.", "")},
    "detractor": {"en": ("Parcel was late and nobody told me why.", "Item arrived damaged.",
                         "Delivery was attempted while I was home."),
                  "ko": ("배송이 늦었는데 이유를 알려주지 않았어요.", "상품이 파손되어 도착했어요.", "집에 있었는데 부재중으로 처리됐어요.")},
}


def seed_surveys(*, merchant, rng: random.Random, now: datetime) -> dict[str, int]:
    tz = merchant.timezone
    delivered = (Shipment.objects.filter(merchant=merchant, is_return=False, status=st.DELIVERED,
                                         delivered_at__isnull=False)
                 .select_related("order__customer").order_by("order_id", "-delivered_at"))
    surveys, answers, seen = [], [], set()
    for shipment in delivered.iterator(chunk_size=2000):
        if shipment.order_id in seen or rng.random() > 0.35:
            seen.add(shipment.order_id)
            continue
        seen.add(shipment.order_id)
        sent_at = shipment.delivered_at + timedelta(days=1)
        if sent_at > now:
            continue
        on_time = delivery.is_on_time(shipment, tz)
        survey = Survey(merchant=merchant, order_id=shipment.order_id, customer_id=shipment.order.customer_id,
                        status=Survey.Status.SENT, scheduled_for=sent_at, send_deadline=sent_at + timedelta(days=7),
                        sent_at=sent_at, expires_at=sent_at + timedelta(days=14), delivered_at=shipment.delivered_at,
                        carrier=shipment.carrier, lane=delivery.lane(shipment), on_time=on_time,
                        edd_hit=delivery.is_edd_hit(shipment, tz))
        surveys.append(survey)
        if rng.random() < 0.48:
            answers.append((survey, shipment.order.customer.locale or merchant.default_locale,
                            _score(rng, age_days=(now - sent_at).days, on_time=on_time)))
    Survey.objects.bulk_create(surveys, batch_size=BATCH)
    responses = []
    for survey, locale, score in answers:
        group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        language = "ko" if locale == "ko" else "en"
        rated = rng.random() < 0.6
        responses.append(SurveyResponse(
            survey=survey, merchant=merchant, score=score, reason=rng.choice(COMMENTS[group][language]),
            delivery_rating=_rating(rng, score) if rated else None, product_rating=_rating(rng, score) if rated else None,
            packaging_rating=_rating(rng, score) if rated else None,
            source=rng.choice((SurveyResponse.Source.EMAIL, SurveyResponse.Source.EMAIL, SurveyResponse.Source.TRACKING)),
            answered_at=min(now, survey.sent_at + timedelta(hours=rng.randint(1, 60)))))
    SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)
    return {"surveys": len(surveys), "survey_responses": len(responses)}


def _score(rng: random.Random, *, age_days: int, on_time: bool | None) -> int:
    # The shop got better over the year (recent answers score higher); late parcels cost points.
    base = 7.2 + 1.6 * (1 - min(age_days, 365) / 365) - (2.5 if on_time is False else 0)
    return max(0, min(10, round(rng.gauss(base, 1.8))))


def _rating(rng: random.Random, score: int) -> int:
    return max(1, min(5, round(rng.gauss(1 + score * 0.4, 0.7))))
