"""Delivery of a rendered notice: e-mail over SMTP (XARF as an attachment) or a webhook.

Transport errors become one :class:`DeliveryError` line; nothing here touches the case.
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from dumpwatch.cases.config import Notifier, Smtp
from dumpwatch.cases.notices import RenderedNotice
from dumpwatch.errors import DeliveryError


def build_email(notice: RenderedNotice, notifier: Notifier, recipient: str,
                case_ref: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{notifier.name} <{notifier.email}>"
    msg["To"] = recipient
    msg["Subject"] = notice.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=case_ref, domain=notifier.domain)
    msg["X-XARF"] = "PLAIN"  # XARF convention: the report travels as a JSON attachment
    msg.set_content(notice.body)
    msg.add_attachment(json.dumps(notice.xarf, ensure_ascii=False, indent=1).encode("utf-8"),
                       maintype="application", subtype="json", filename="xarf.json")
    return msg


def send_email(msg: EmailMessage, smtp: Smtp) -> None:
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as conn:
            if smtp.starttls:
                conn.starttls(context=ssl.create_default_context())
            if smtp.username_env:
                user = os.environ.get(smtp.username_env, "")
                conn.login(user, os.environ.get(smtp.password_env or "", ""))
            refused = conn.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP server {where} refused {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP server {where} answered {exc.smtp_code}: "
                            f"{exc.smtp_error.decode(errors='replace')[:120]}") from None
    except (OSError, smtplib.SMTPException) as exc:
        reason = "timed out" if isinstance(exc, socket.timeout | TimeoutError) else (
            getattr(exc, "strerror", None) or type(exc).__name__)
        raise DeliveryError(f"SMTP server {where} unreachable: {reason}") from None
    if refused:
        raise DeliveryError(f"SMTP server {where} refused {', '.join(refused)}")


def send_webhook(url: str, payload: dict, timeout: float = 10) -> None:
    try:
        r = httpx.post(url, json=payload, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {url} unreachable: {type(exc).__name__}") from None
    if r.status_code >= 300:
        raise DeliveryError(f"webhook {url} answered {r.status_code}")
