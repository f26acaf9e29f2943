"""Delivery-date estimation data: a merchant's shipping policy, learned lane statistics, stored
backtest reports, and delay cases (one row per delay of a parcel, opened and resolved by
tracking.edd.delays)."""
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.carriers import status as st
from tracking.models.merchants import Merchant
from tracking.models.shipments import Shipment


class MerchantShippingSettings(models.Model):
    """How and from where a merchant ships; drives the promise shown before purchase.

    A merchant without a row gets the defaults (see tracking.edd.engine.shipping_settings_for)."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="shipping_settings")
    cutoff_hour = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(24)],
        help_text=_("Orders placed before this hour (merchant time zone) on a business day ship that day."))
    handling_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(30)], help_text=_("Extra business days to pack after the cut-off."))
    origin_postal_code = models.CharField(max_length=20, blank=True, help_text=_("The warehouse's postal code."))
    default_carrier = models.CharField(max_length=32, default="mock",
                                       help_text=_("Carrier assumed for product-page estimates."))
    default_service_level = models.CharField(max_length=64, default="standard")
    extra_allowed_origins = models.TextField(
        blank=True, help_text=_("More store origins (one per line, e.g. https://shop.example.com) allowed to call "
                                "the public EDD API from a browser; the store URL's origin is always allowed."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "merchant shipping settings"
        verbose_name_plural = "merchant shipping settings"
        constraints = [models.CheckConstraint(condition=Q(cutoff_hour__lte=24), name="shipping_cutoff_hour_valid")]

    def __str__(self):
        return f"Shipping settings of {self.merchant}"


class LaneTransitStats(models.Model):
    """Recency-weighted distribution of transit business days on one lane or region.

    Deliberately merchant-independent: transit from first carrier scan to delivery is a property of
    the carrier's network, not of the shop (the shop's own handling time is in its shipping
    settings), and pooling gives thin lanes several times the data. Only aggregates are stored —
    no shipment, order or merchant can be recovered from a row — and rows are never shown to shoppers
    except as a window and a confidence."""

    class Level(models.TextChoices):
        LANE = "lane", _("Lane (postal zones)")
        REGION = "region", _("Region (countries)")

    level = models.CharField(max_length=8, choices=Level.choices)
    carrier = models.CharField(max_length=32)
    service_level = models.CharField(max_length=64, blank=True)
    origin_zone = models.CharField(max_length=16, help_text=_("KR-10, US-900… or a country code for regions."))
    destination_zone = models.CharField(max_length=16)
    histogram = models.JSONField(help_text=_("Transit business days → recency weight."))
    sample_size = models.PositiveIntegerField()
    weight_total = models.FloatField()
    weight_sq_total = models.FloatField()
    p10 = models.PositiveSmallIntegerField()
    p50 = models.PositiveSmallIntegerField()
    p90 = models.PositiveSmallIntegerField()
    # The lane's usual longest silence: DOORSTEP_DELAY_SILENCE_QUANTILE of its delivered parcels'
    # longest gap between scans while in transit, in working hours (None: too few parcels).
    scan_gap_hours = models.FloatField(null=True, blank=True)
    # Region rows: how the carrier's own delivery estimates relate to its deliveries (lanes.
    # CarrierCalibration): their median offset in business days, and the weight they get against the
    # lane's median once corrected by it (None: not enough parcels with an estimate).
    carrier_estimate_bias_days = models.SmallIntegerField(null=True, blank=True)
    carrier_estimate_weight = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "lane transit statistics"
        verbose_name_plural = "lane transit statistics"
        ordering = ["carrier", "service_level", "origin_zone", "destination_zone"]
        constraints = [
            models.UniqueConstraint(fields=["level", "carrier", "service_level", "origin_zone", "destination_zone"],
                                    name="lane_stats_unique_key"),
            models.CheckConstraint(condition=Q(p10__lte=models.F("p50")) & Q(p50__lte=models.F("p90")),
                                   name="lane_stats_quantiles_ordered"),
        ]

    def __str__(self):
        return f"{self.carrier}/{self.service_level or '-'} {self.origin_zone}→{self.destination_zone}"


class EddBacktestRun(models.Model):
    """A stored ``edd_backtest`` report so staff can read it in admin (append-only)."""

    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=32, help_text=_("generated history or delivered shipments"))
    seed = models.IntegerField(null=True, blank=True)
    shipments = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    report = models.JSONField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "EDD backtest run"

    def __str__(self):
        return f"Backtest {self.created_at:%Y-%m-%d %H:%M} ({self.source}, {self.shipments} shipments)"


class DelayCase(models.Model):
    """One episode of a parcel not going as promised, opened and resolved by tracking.edd.delays.

    Either *late* (still moving, now most likely after the promised day: the kinds below say which
    evidence tipped it) or an *exception* (stopped: lost, damaged, customs…; ``reason`` says which).
    ``notified`` says whether the shopper was emailed, ``silent_reason`` why not; an exception the
    shopper was told about has a ``follow_up_due`` that the delay job honours."""

    class Kind(models.TextChoices):
        PREDICTED_LATE = "predicted_late", _("Predicted past the promised date")
        DELAY_REASON = "delay_reason", _("Carrier reported a delay")
        NO_SCAN = "no_scan", _("No scan for longer than the lane's usual gap")
        EXCEPTION = "exception", _("Stopped: the carrier reported a problem")

    class Silence(models.TextChoices):
        TOO_OLD = "too_old", _("Parcel shipped too long ago")
        HISTORY = "history", _("Began before the notify horizon (history)")
        ALREADY_TOLD = "already_told", _("Shopper already told about this delay")
        FAILED_ATTEMPT = "failed_attempt", _("The failed-attempt email already told the shopper")
        TERMINAL = "terminal", _("Parcel's journey is over")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="delay_cases")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="delay_cases")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=32, choices=st.REASONS, blank=True)
    carrier = models.CharField(max_length=32, db_index=True)
    promised_date = models.DateField(null=True, blank=True)
    predicted_date = models.DateField(null=True, blank=True, help_text=_("Most likely delivery day when opened."))
    predicted_window_end = models.DateField(null=True, blank=True)
    # What the shopper is told once per episode: "late:<promised date>" or "exception:<reason>:<began>".
    episode = models.CharField(max_length=64, blank=True)
    began_at = models.DateTimeField(null=True, blank=True, help_text=_("When the evidence says it began."))
    opened_at = models.DateTimeField()
    notified = models.BooleanField(default=False, help_text=_("The shopper was emailed about it."))
    silent_reason = models.CharField(max_length=16, choices=Silence.choices, blank=True)
    follow_up_due = models.DateTimeField(null=True, blank=True, db_index=True,
                                         help_text=_("The update the shopper was promised is due then."))
    follow_ups_sent = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=32, blank=True, help_text=_("delivered, back_on_time, terminal…"))

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # The database guarantees "once per delay": a second detector run cannot open a twin.
            models.UniqueConstraint(fields=["shipment"], condition=Q(resolved_at__isnull=True),
                                    name="delay_case_one_open_per_shipment"),
        ]
        indexes = [models.Index(fields=["merchant", "opened_at"])]

    def __str__(self):
        return f"{self.shipment} {self.kind} {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_exception(self) -> bool:
        return self.kind == self.Kind.EXCEPTION
