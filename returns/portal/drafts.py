"""Reading a shopper's draft: what they chose so far, priced by the policy engine (no writes here)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from tracking.models import OrderLine

from returns.policy import engine
from returns.models import Resolution, ReturnDraft, ReturnPolicy
from returns.selectors import exchange_options, order_eligibility
from returns.services.logistics import MethodOption, method_options


@dataclass
class DraftState:
    draft: ReturnDraft
    policy: ReturnPolicy
    line_views: list
    verdicts: dict
    rules: engine.Rules
    facts: engine.OrderFacts

    @property
    def data(self) -> dict:
        return self.draft.data

    @property
    def chosen(self) -> dict[int, int]:
        return {int(k): int(v) for k, v in (self.data.get("lines") or {}).items()}

    @property
    def chosen_lines(self) -> list[OrderLine]:
        return [v.line for v in self.line_views if v.line.pk in self.chosen]

    @property
    def exchange(self) -> dict[int, int]:
        return {int(k): int(v) for k, v in (self.data.get("exchange") or {}).items()}

    def exchange_lines(self):
        return [(line, exchange_options(line)) for line in self.chosen_lines]

    def resolutions(self) -> list[tuple[str, str]]:
        order = self.draft.order
        bonus = format(self.policy.store_credit_bonus_percent.normalize(), "f")  # 10.00 -> "10", not "1E+1"
        choices = []
        if order.payment_gateway and order.payment_reference:
            choices.append((Resolution.REFUND, _("Refund to my original payment")))
        credit = _("Store credit")
        if self.policy.store_credit_bonus_percent > 0:
            credit = _("Store credit with a %(bonus)s%% bonus") % {"bonus": bonus}
        choices.append((Resolution.STORE_CREDIT, credit))
        if self.policy.exchanges_enabled and self.chosen and all(opts for _l, opts in self.exchange_lines()):
            choices.append((Resolution.EXCHANGE, _("Exchange for another size or colour")))
        return choices

    def methods(self) -> list[MethodOption]:
        return method_options(self.policy, self.draft.order)

    def pickup_date(self) -> date | None:
        value = self.data.get("pickup_date")
        return date.fromisoformat(value) if value else None

    def quote(self, *, resolution: str | None = None) -> engine.Quote:
        """Raises engine.QuoteError when the draft no longer fits the policy (e.g. the window closed)."""
        resolution = resolution or self.data.get("resolution") or Resolution.REFUND
        prices = {}
        if resolution == Resolution.EXCHANGE:
            options = {line.pk: {v.pk: v for v in opts} for line, opts in self.exchange_lines()}
            for line_id, variant_id in self.exchange.items():
                variant = options.get(line_id, {}).get(variant_id)
                if variant is not None:
                    prices[line_id] = variant.price
        chosen = [engine.ChosenLine(line_id, qty, prices.get(line_id)) for line_id, qty in self.chosen.items()]
        return engine.quote(self.rules, self.facts, self.verdicts, chosen,
                            reason_code=self.data.get("reason") or next(iter(self.rules.reasons), ""),
                            resolution=resolution)


def draft_state(draft: ReturnDraft, policy: ReturnPolicy) -> DraftState:
    rules, facts, verdicts, views = order_eligibility(draft.order, policy)
    return DraftState(draft=draft, policy=policy, line_views=views, verdicts=verdicts, rules=rules, facts=facts)


def fee_total(quote: engine.Quote) -> Decimal:
    return quote.restocking_fee + quote.shipping_fee
