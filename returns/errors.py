"""Errors the returns services raise for expected, user-facing problems (turned into 4xx / form errors)."""


class ReturnError(Exception):
    """A request the policy, the stock or the carrier refused. ``code`` names the rule."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.code = code
        self.message = message


class RefundExceedsPaid(ReturnError):
    def __init__(self, message: str = "Refunds and credits for this order would exceed what was paid."):
        super().__init__(message, code="exceeds_paid")


class AlreadyRefunded(ReturnError):
    def __init__(self, message: str = "This return has already been refunded or credited."):
        super().__init__(message, code="already_refunded")


class InsufficientCredit(ReturnError):
    def __init__(self, message: str = "Not enough store credit."):
        super().__init__(message, code="insufficient_credit")
