"""Text-message providers (KakaoTalk 알림톡, SMS/LMS, WhatsApp) behind one small contract.

    base.py       TextMessage, SendResult, MessageTemplate, ProviderCredentials, the TextProvider
                  interface and the error types (retryable or not, may fall back to SMS or not)
    text.py       pure helpers: phone numbers (E.164 <-> Korean national), EUC-KR byte counts, SMS vs LMS
    fallback.py   the 알림톡 -> SMS/LMS fallback rule (exactly one fallback per fact, both attempts recorded)
    policy.py     transactional vs promotional, and when a promotional send is allowed (not 21:00-08:00 KST)
    solapi/       Solapi (알림톡 + SMS/LMS), twilio/  Twilio (SMS + WhatsApp): client.py HTTP only,
                  parse.py pure wire format <-> dataclasses, provider.py the TextProvider
    registry.py   providers by slug from settings.DOORSTEP_TEXT_PROVIDERS, credentials from settings
    backends.py   send(to=, text=) backends for tracking.notifications.channels.ProviderChannel

Everything except registry.py and backends.py is free of Django: providers take and return the
dataclasses in base.py and are tested with recorded JSON alone.
"""
