"""Shared values for the text-message provider tests: endpoints, the 알림톡 template and its variables."""
from tracking.notifications.providers.base import MessageTemplate

SOLAPI_SEND = "https://api.solapi.com/messages/v4/send-many/detail"
SOLAPI_LIST = "https://api.solapi.com/messages/v4/list"
TWILIO_SID = "AC7f3b1a2c9d8e4f5061728394a5b6c7d8"
TWILIO_MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"

DELIVERED_TEMPLATE = MessageTemplate(
    code="shipment_delivered",
    template_id="KA01TP221025083117992xkz17KyvNbr",
    text="[#{merchant}] #{name}님, 주문 #{order}이(가) 배송 완료되었습니다.\n배송 조회: #{url}",
)


def delivered_variables(**overrides):
    values = {"merchant": "한옥홈", "name": "김민지", "order": "HK-1001", "url": "https://t.example/o/abc"}
    values.update(overrides)
    return values
