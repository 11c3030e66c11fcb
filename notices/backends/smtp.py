"""E-mail through an SMTP server (settings EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER/PASSWORD, EMAIL_USE_TLS)."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import Backend, Message, SendError, Sent, register


@register("smtp")
class Smtp(Backend):
    channels = frozenset({"email"})

    def send(self, message: Message) -> Sent:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        # The notice's uid as Message-ID: a resend after a crash is recognisable as the same message.
        message_id = f"<notice-{message.uid}@{domain}>"
        mail = EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                            to=[message.recipient], headers={"Message-ID": message_id})
        try:
            with get_connection("django.core.mail.backends.smtp.EmailBackend",
                                timeout=settings.NOTICE_SEND_TIMEOUT) as connection:
                connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc.recipients}", retry=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{exc.__class__.__name__}: {exc}") from exc
        return Sent(provider_id=message_id)
