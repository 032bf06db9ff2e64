"""The adapters that carry a message out of the server, one per channel.

Each adapter sends one message and raises `DeliveryError` with a short reason when the other
side did not take it; the courier (outbox.py) retries later. Nothing here touches the database.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    """The message was not taken; the text says why (kept on the message for staff to read)."""


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    subject: str
    body: str
    secret: str = ""


def send_email(message: Outgoing) -> None:
    """Through Django's mail framework: the SMTP server of the EMAIL_* settings."""
    try:
        with get_connection(fail_silently=False, timeout=TIMEOUT_SECONDS) as connection:
            EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient],
                         connection=connection).send()
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        raise DeliveryError(f"mail server: {exc}") from exc


def signed_robot_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's 加签: the robot checks an HMAC-SHA256 of "timestamp\\nsecret" sent with the call."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote(base64.b64encode(digest).decode(), safe="")
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def send_to_robot(message: Outgoing) -> None:
    """A group robot (WeCom 企业微信 or DingTalk 钉钉): both take this text message and answer
    errcode 0 when they post it in the group."""
    url = signed_robot_url(message.recipient, message.secret) if message.secret else message.recipient
    text = f"{message.subject}\n{message.body}" if message.subject else message.body
    try:
        response = requests.post(url, json={"msgtype": "text", "text": {"content": text}}, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise DeliveryError(f"group robot unreachable: {exc}") from exc
    if response.status_code != 200:
        raise DeliveryError(f"group robot answered HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError("group robot answered something other than JSON") from None
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"group robot refused: {answer.get('errcode')} {answer.get('errmsg', '')}".strip())


def sms_gateway_configured() -> bool:
    return bool(settings.CONCIERGE_SMS_GATEWAY_URL)


def send_sms(message: Outgoing) -> None:
    """To the mall's SMS gateway (CONCIERGE_SMS_GATEWAY_URL): a JSON POST of the phone number,
    the text and the mall's registered signature, with the gateway key as a bearer token. Any
    2xx answer means the gateway took the message for the operator."""
    if not sms_gateway_configured():
        raise DeliveryError("no SMS gateway is configured (CONCIERGE_SMS_GATEWAY_URL)")
    headers = {"Authorization": f"Bearer {settings.CONCIERGE_SMS_GATEWAY_KEY}"}
    payload = {"phone": message.recipient, "text": message.body, "sign": settings.CONCIERGE_SMS_SIGNATURE}
    try:
        response = requests.post(settings.CONCIERGE_SMS_GATEWAY_URL, json=payload, headers=headers,
                                 timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise DeliveryError(f"SMS gateway unreachable: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"SMS gateway answered HTTP {response.status_code}: {response.text[:200]}")
