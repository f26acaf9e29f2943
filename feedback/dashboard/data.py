"""The staff dashboard's numbers for one merchant and period: cards and tables, each table exportable
as CSV. Only assembles feedback.metrics; nothing here queries on its own."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from tracking.models import Merchant
from tracking.recommendations.selectors import recommendation_metrics

from feedback import metrics
from feedback.metrics._common import analytics_session


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)


@dataclass
class Card:
    key: str
    label: str
    value: object
    unit: str = "%"
    detail: str = ""


@dataclass
class Dashboard:
    merchant: Merchant
    start: dt.datetime
    end: dt.datetime
    cards: list[Card]
    tables: dict[str, Table]


def period_bounds(merchant: Merchant, first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Whole days in the merchant's time zone: [first_day 00:00, last_day + 1 00:00)."""
    tz = zoneinfo.ZoneInfo(merchant.timezone)
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


NPS_COLUMNS = [("responses", "Responses"), ("promoters", "Promoters"), ("passives", "Passives"),
               ("detractors", "Detractors"), ("nps", "NPS")]
DELIVERY_COLUMNS = [("delivered", "Delivered"), ("on_time_known", "With a promised/estimated date"),
                    ("on_time", "On time"), ("on_time_rate", "On-time rate %"),
                    ("edd_known", "With a ship-time window"), ("edd_hit", "Inside window"),
                    ("edd_accuracy", "EDD accuracy %")]


def build(merchant: Merchant, start: dt.datetime, end: dt.datetime) -> Dashboard:
    with analytics_session():
        return _build(merchant, start, end)


def _build(merchant: Merchant, start: dt.datetime, end: dt.datetime) -> Dashboard:
    cust = metrics.customer_metrics(merchant, start, end)
    by_week = metrics.nps_by_week(merchant, start, end)
    nps = metrics.nps_total(by_week)
    csat = metrics.csat(merchant, start, end)
    rr = metrics.response_rate(merchant, start, end)
    ret = metrics.return_rate(merchant, start, end)
    by_carrier = metrics.delivery_by_carrier(merchant, start, end)
    deliv = metrics.delivery_total(by_carrier)

    cards = [
        Card("nps", "NPS", nps["nps"], unit="", detail=f"{nps['responses']} responses: "
             f"{nps['promoters']} promoters, {nps['passives']} passives, {nps['detractors']} detractors"),
        Card("csat", "CSAT", csat["overall"]["csat"],
             detail=f"{csat['overall']['satisfied']} of {csat['overall']['rated']} ratings are 4–5"),
        Card("response_rate", "Response rate", rr["rate"], detail=f"{rr['answered']} of {rr['sent']} surveys sent"),
        Card("retention", "Retention rate", cust.retention_rate,
             detail=f"{cust.retained} of {cust.active_at_start} customers active at the start still active "
                    f"at the end (active = ordered within {cust.window_days} days); E={cust.active_at_end}, "
                    f"N={cust.new_customers}, E − N = {cust.active_at_end - cust.new_customers}"),
        Card("churn", "Churn rate", cust.churn_rate, detail=f"{cust.lost} of {cust.active_at_start} lost"),
        Card("repeat", "Repeat-purchase rate", cust.repeat_purchase_rate,
             detail=f"{cust.repeat_buyers} of {cust.buyers} buyers ordered twice or more"),
        Card("clv", "Customer lifetime value", cust.clv, unit=cust.currency,
             detail=f"AOV {cust.aov if cust.aov is not None else '—'} × {cust.purchase_frequency or '—'} orders "
                    f"× {cust.lifespan_periods or '—'} periods"),
        Card("return_rate", "Return rate", ret["rate"], detail=f"{ret['returned']} of {ret['orders']} orders"),
        Card("on_time", "On-time delivery", deliv["on_time_rate"],
             detail=f"{deliv['on_time']} of {deliv['on_time_known']} parcels with a promised date"),
        Card("edd_accuracy", "EDD accuracy", deliv["edd_accuracy"],
             detail=f"{deliv['edd_hit']} of {deliv['edd_known']} parcels inside the ship-time window"),
    ]
    recs = recommendation_metrics(merchant=merchant, start=start, end=end)
    ctr = round(float(recs["ctr"]) * 100, 1) if recs["impressions"] else None
    cards += [
        Card("recs_ctr", "Recommendation CTR", ctr,
             detail=f"{recs['clicked_impressions']} of {recs['impressions']} widget views clicked"),
        Card("recs_revenue", "Revenue from recommendations", recs["attributed_revenue"], unit=recs["currency"],
             detail=f"{recs['attributed_orders']} orders with a clicked product"),
    ]
    card_rows = [{"metric": c.label, "value": c.value, "unit": c.unit, "detail": c.detail} for c in cards]
    csat_rows = [{"dimension": k, **v} for k, v in csat.items()]
    tables = [
        Table("cards", "Summary", [("metric", "Metric"), ("value", "Value"), ("unit", "Unit"), ("detail", "Detail")],
              card_rows),
        Table("nps_by_week", "NPS by week", [("week", "Week starting")] + NPS_COLUMNS,
              by_week),
        Table("nps_by_carrier", "NPS by carrier", [("carrier", "Carrier")] + NPS_COLUMNS,
              metrics.nps_by_carrier(merchant, start, end)),
        Table("nps_by_lane", "NPS by lane", [("lane", "Lane")] + NPS_COLUMNS,
              metrics.nps_by_lane(merchant, start, end)),
        Table("nps_by_delivery", "NPS for on-time vs late deliveries", [("delivery", "Delivery")] + NPS_COLUMNS,
              metrics.nps_by_delivery(merchant, start, end)),
        Table("score_distribution", "Score distribution", [("score", "Score"), ("responses", "Responses")],
              metrics.score_distribution(merchant, start, end)),
        Table("csat", "CSAT by dimension", [("dimension", "Dimension"), ("rated", "Ratings"),
                                            ("satisfied", "4–5"), ("csat", "CSAT %")], csat_rows),
        Table("delivery_by_carrier", "On-time and EDD accuracy by carrier", [("carrier", "Carrier")] + DELIVERY_COLUMNS,
              by_carrier),
        Table("comments", "Latest comments", [("answered_at", "Answered"), ("order", "Order"), ("score", "Score"),
                                              ("carrier", "Carrier"), ("reason", "Reason")],
              metrics.latest_comments(merchant, start, end)),
    ]
    return Dashboard(merchant, start, end, cards, {t.name: t for t in tables})
