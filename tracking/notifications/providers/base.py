"""The text-message provider contract: plain dataclasses, one interface, and the errors.

A provider's ``send(message)`` returns a SendResult when the provider accepted the message, and
raises a ProviderError subclass when it did not. Every error says whether the same message may be
sent again later (``retryable``) and whether a 알림톡/WhatsApp failure of this kind may be replaced by
one SMS/LMS (``fallback_allowed``; see fallback.py). Anything else that escapes is a bug.

Templates: 알림톡 (and WhatsApp templates) send a template registered with the provider, filled with
variables. Each template our side may use is described by a MessageTemplate that declares its
variables; providers are given a catalog ``{template_code: MessageTemplate}`` and refuse a message
whose variables do not match BEFORE any network call (TemplateError).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Literal, Mapping

Kind = Literal["alimtalk", "sms", "lms", "whatsapp"]
KINDS: frozenset[str] = frozenset({"alimtalk", "sms", "lms", "whatsapp"})
PLAIN_TEXT_KINDS: frozenset[str] = frozenset({"sms", "lms"})

_VARIABLE = re.compile(r"#\{([^{}]+)\}")

DEFAULT_TIMEOUT = (3.05, 20.0)  # (connect, read) seconds for every provider call


@dataclass(frozen=True)
class TextMessage:
    to: str  # the recipient, E.164 ("+821012345678")
    text: str = ""  # the body for sms/lms/whatsapp free text; for 알림톡 the provider renders the template
    kind: Kind = "sms"
    template_code: str = ""  # our name for the template (a key of the provider's catalog); 알림톡 needs one
    variables: Mapping[str, str] = field(default_factory=dict)  # "name" or "#{name}" -> value
    subject: str = ""  # LMS title (ignored for SMS, which has none)
    sender: str = ""  # overrides the provider's configured sender number, when allowed
    promotional: bool = False  # advertising content: see policy.py (quiet hours, not allowed as 알림톡)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown text-message kind {self.kind!r}")
        if self.kind == "alimtalk" and not self.template_code:
            raise ValueError("a 알림톡 needs a template_code")
        if self.kind == "alimtalk" and self.promotional:
            raise ValueError("알림톡 may only carry transactional information, not advertising")


@dataclass(frozen=True)
class SendResult:
    """One attempt at one message, as the provider answered it."""

    provider: str  # "solapi", "twilio", …
    kind: str  # what was sent: "alimtalk" | "sms" | "lms" | "whatsapp"
    status: Literal["accepted", "failed"]  # accepted = the provider took it; delivery is reported later
    message_id: str = ""  # the provider's id for the message ("" if it never got one)
    provider_code: str = ""  # the provider's status/error code ("2000", "3104", "21610", …)
    provider_message: str = ""
    fallback_used: bool = False  # this attempt was the SMS/LMS sent in place of a failed 알림톡/WhatsApp


@dataclass(frozen=True)
class DeliveryReport:
    """What the provider later says became of an accepted message (a status query or a webhook)."""

    provider: str
    message_id: str
    kind: str
    status: Literal["pending", "delivered", "failed"]
    provider_code: str = ""
    provider_message: str = ""
    error: "ProviderError | None" = None  # for "failed": the error it maps to (fallback_allowed etc.)


@dataclass(frozen=True)
class ProviderCredentials:
    api_key: str = ""  # Solapi API key; Twilio Account SID
    api_secret: str = field(default="", repr=False)  # Solapi API secret; Twilio Auth Token
    sender: str = ""  # default sender: a registered 발신번호, a +E.164 number or a Twilio Messaging Service SID
    sender_profile: str = ""  # the KakaoTalk channel (Solapi pfId) 알림톡 go out from
    api_url: str = ""  # base URL override (sandbox, local fake); empty = the provider's public API
    extra: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class MessageTemplate:
    """A provider-side template our side may send. ``variables`` are the names it declares (without
    ``#{}``); ``text`` is its registered body, used to derive variables and to render a fallback SMS."""

    code: str  # our name, the key TextMessage.template_code refers to
    template_id: str = ""  # the provider's id (Solapi templateId, Twilio ContentSid); default: ``code``
    variables: frozenset[str] = frozenset()
    text: str = ""

    def __post_init__(self):
        object.__setattr__(self, "variables", frozenset(self.variables) | frozenset(_VARIABLE.findall(self.text)))
        if not self.template_id:
            object.__setattr__(self, "template_id", self.code)

    def render(self, variables: Mapping[str, str]) -> str:
        """The template text with the variables filled in (for a fallback SMS/LMS)."""
        values = normalize_variables(variables)
        return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)


def variable_name(key: str) -> str:
    """ "#{name}" -> "name"; "name" stays."""
    match = _VARIABLE.fullmatch(key)
    return match.group(1) if match else key


def normalize_variables(variables: Mapping[str, str]) -> dict[str, str]:
    return {variable_name(key): value for key, value in variables.items()}


# --- errors -------------------------------------------------------------------------------------------

class ProviderError(Exception):
    """The provider refused or could not take the message. ``code`` is the provider's own code."""

    retryable: ClassVar[bool] = False
    default_fallback: ClassVar[bool] = False

    def __init__(self, message: str, *, code: str = "", provider: str = "", retry_after: float | None = None,
                 message_id: str = "", fallback_allowed: bool | None = None):
        super().__init__(message)
        self.code = code
        self.provider = provider
        self.retry_after = retry_after
        self.message_id = message_id
        self.fallback_allowed = self.default_fallback if fallback_allowed is None else fallback_allowed


class ProviderAuthError(ProviderError):
    """Missing, wrong or revoked credentials, or a signature the provider rejects. Not retryable."""


class AccountError(ProviderError):
    """Our account cannot send: insufficient balance, unregistered sender number, blocked account, or
    a KakaoTalk channel that is not (or no longer) valid. Fixed by an operator, not by retrying."""


class TemplateError(ProviderError):
    """The template does not fit: missing/unknown/empty variables (found before any call), or the
    provider says the template id is unknown or the content does not match it. Not retryable."""

    def __init__(self, message: str, *, missing: tuple[str, ...] = (), unknown: tuple[str, ...] = (), **kwargs):
        super().__init__(message, **kwargs)
        self.missing = tuple(missing)
        self.unknown = tuple(unknown)


class RecipientError(ProviderError):
    """This recipient cannot get this message: ``reason`` is "no_kakaotalk" (not a KakaoTalk user, or
    blocked the channel), "invalid_number", "opted_out" (unsubscribed: permanent), "blocked" or
    "unreachable". Not retryable; "no_kakaotalk" may fall back to SMS."""

    def __init__(self, message: str, *, reason: str = "unreachable", **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason


class OptedOut(RecipientError):
    """The recipient unsubscribed from this sender (Twilio STOP, Korean 080 수신거부). Permanent: record
    the opt-out and do not try again, on any channel that honours it."""

    def __init__(self, message: str, **kwargs):
        kwargs.pop("reason", None)
        super().__init__(message, reason="opted_out", **kwargs)


class InvalidMessage(ProviderError):
    """The content itself is refused (too long, characters the channel cannot carry, malformed). A bug
    or bad data on our side; not retryable."""


class ProviderUnavailable(ProviderError):
    """5xx, timeouts, connection failures. Retryable. ``maybe_sent`` is true when the request may have
    reached the provider (read timeout, 500 …): text messages have no idempotency key, so a retry then
    risks a duplicate, and a fallback SMS must NOT be sent in its place."""

    retryable = True

    def __init__(self, message: str, *, maybe_sent: bool = True, **kwargs):
        super().__init__(message, **kwargs)
        self.maybe_sent = maybe_sent


class RateLimited(ProviderError):
    """Too many requests; nothing was sent. Retry after ``retry_after`` seconds (when given)."""

    retryable = True


def check_variables(template: MessageTemplate, variables: Mapping[str, str]) -> dict[str, str]:
    """The variables as the template expects them, or TemplateError naming the missing, empty and
    unknown ones. Called by providers before any network call."""
    given = normalize_variables(variables)
    missing = sorted(name for name in template.variables if given.get(name) in (None, ""))
    unknown = sorted(name for name in given if name not in template.variables)
    dotted = sorted(name for name in given if "." in name)  # KakaoTalk variable names cannot contain dots
    if missing or unknown or dotted:
        parts = []
        if missing:
            parts.append("missing or empty: " + ", ".join(missing))
        if unknown:
            parts.append("not declared by the template: " + ", ".join(unknown))
        if dotted:
            parts.append("names with a dot: " + ", ".join(dotted))
        raise TemplateError(f"template {template.code!r} variables do not fit ({'; '.join(parts)})",
                            code="template_variables", missing=tuple(missing),
                            unknown=tuple(sorted({*unknown, *dotted})), fallback_allowed=False)
    return {name: str(value) for name, value in given.items()}


class TextProvider:
    """One provider account. Subclasses set ``slug`` and ``kinds`` and implement ``send``."""

    slug: ClassVar[str]
    name: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    default_api_url: ClassVar[str]
    # The HTTP policy every provider client gets (tests shorten or record the sleeps).
    timeout: ClassVar[tuple[float, float]] = DEFAULT_TIMEOUT
    max_retries: ClassVar[int] = 2
    backoff_base: ClassVar[float] = 0.5
    backoff_cap: ClassVar[float] = 30.0
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(self, credentials: ProviderCredentials | None = None, *,
                 templates: Mapping[str, MessageTemplate] | None = None):
        self.credentials = credentials or ProviderCredentials()
        self.templates = dict(templates or {})

    @property
    def api_url(self) -> str:
        return (self.credentials.api_url or self.default_api_url).rstrip("/")

    def client_options(self) -> dict:
        """Keyword arguments for the provider's HTTP client: base URL and retry policy."""
        return {"base_url": self.api_url, "timeout": self.timeout, "max_retries": self.max_retries,
                "backoff_base": self.backoff_base, "backoff_cap": self.backoff_cap, "sleep": self.sleep}

    def template_for(self, message: TextMessage) -> MessageTemplate:
        """The catalog entry for the message's template, with its variables checked (no network)."""
        template = self.templates.get(message.template_code)
        if template is None:
            raise TemplateError(f"no template {message.template_code!r} is registered for {self.slug}",
                                code="unknown_template", provider=self.slug, fallback_allowed=False)
        try:
            check_variables(template, message.variables)
        except TemplateError as exc:
            exc.provider = self.slug
            raise
        return template

    def send(self, message: TextMessage) -> SendResult:
        raise NotImplementedError
