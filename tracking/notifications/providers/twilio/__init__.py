"""Twilio Programmable Messaging: SMS and WhatsApp over ``POST /2010-04-01/Accounts/{Sid}/Messages.json``,
written from Twilio's public API reference. client.py HTTP, parse.py pure, provider.py."""
from tracking.notifications.providers.twilio.provider import TwilioProvider

__all__ = ["TwilioProvider"]
