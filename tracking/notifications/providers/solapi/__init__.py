"""Solapi (솔라피): KakaoTalk 알림톡 and SMS/LMS over ``POST /messages/v4/send-many/detail``, written
from Solapi's public API reference and SDKs. client.py HTTP + HMAC signature, parse.py pure, provider.py."""
from tracking.notifications.providers.solapi.provider import SolapiProvider

__all__ = ["SolapiProvider"]
