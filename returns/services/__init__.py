"""Every write of the returns app. Import services from here."""
from returns.money.credit import return_credit, store_credit_account, store_credit_redeem
from returns.services.exchanges import exchange_release_stock, return_exchange, stock_reserve
from returns.services.logistics import method_options, pickup_dates, return_label_create
from returns.files.photo_store import return_photo_store
from returns.policy.services import return_policy_ensure
from returns.money.refunds import ledger_charge, refund_execute, return_refund
from returns.services.workflow import (
    LineInspection,
    RequestedLine,
    return_approve,
    return_close,
    return_finish_if_ready,
    return_inspect,
    return_mark_in_transit,
    return_mark_received,
    return_reject,
    return_release_money,
    return_request,
)

__all__ = [
    "LineInspection",
    "RequestedLine",
    "exchange_release_stock",
    "ledger_charge",
    "method_options",
    "pickup_dates",
    "refund_execute",
    "return_approve",
    "return_close",
    "return_credit",
    "return_exchange",
    "return_finish_if_ready",
    "return_inspect",
    "return_label_create",
    "return_mark_in_transit",
    "return_mark_received",
    "return_photo_store",
    "return_policy_ensure",
    "return_refund",
    "return_reject",
    "return_release_money",
    "return_request",
    "stock_reserve",
    "store_credit_account",
    "store_credit_redeem",
]
