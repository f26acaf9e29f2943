"""Shopper notifications: a small channel layer (email, SMS, WhatsApp) behind one service.

Other apps call ``tracking.notifications.services.notification_request``; see its docstring."""
