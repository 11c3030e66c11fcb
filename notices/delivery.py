"""Sending one stored notice: leased (one attempt at a time), retried with backoff, never sent twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from intake.retries import Policy

from .backends import Message, SendError, get_backend
from .constants import Event, State
from .models import Notice

log = logging.getLogger("notices")


def policy() -> Policy:
    return Policy(pending=State.PENDING, failed=State.FAILED, backoff_base=settings.NOTICE_BACKOFF_BASE,
                  backoff_max=settings.NOTICE_BACKOFF_MAX, lease=settings.NOTICE_LEASE,
                  max_attempts=settings.NOTICE_MAX_ATTEMPTS)


def send(notice_id: int) -> str:
    """One attempt; returns what happened (the task's result). A sent row is never claimed again."""
    if not policy().claim(Notice, notice_id):
        return "skipped"
    notice = Notice.objects.get(pk=notice_id)
    message = Message(uid=str(notice.uid), channel=notice.channel, recipient=notice.recipient,
                      language=notice.language, subject=notice.subject, body=notice.body,
                      template_code=notice.template_code, params=notice.params)
    try:
        sent = get_backend(notice.backend).send(message)
    except Exception as exc:  # recorded on the row whatever it is: the worker must not lose the message
        retry = exc.retry if isinstance(exc, SendError) else True
        outcome = policy().fail(Notice, notice.pk, notice.attempts, f"{exc.__class__.__name__}: {exc}",
                                retry=retry)
        log.warning("notice %s (%s %s → %s) attempt %d: %s, %s", notice.pk, notice.event, notice.channel,
                    notice.masked_recipient, notice.attempts, outcome, exc)
        return outcome
    redacted = {}
    if notice.event == Event.VERIFICATION:  # the record stays, the code does not outlive its delivery
        code = notice.params.get("code", "")
        redacted = {"body": notice.body.replace(code, "******") if code else notice.body,
                    "params": {**notice.params, "code": "******"}}
    Notice.objects.filter(pk=notice.pk).update(state=State.SENT, sent_at=timezone.now(), locked_until=None,
                                               last_error="", provider_id=sent.provider_id[:100], **redacted)
    log.info("notice %s (%s %s → %s) sent on attempt %d", notice.pk, notice.event, notice.channel,
             notice.masked_recipient, notice.attempts)
    return "sent"


def due() -> list[int]:
    return policy().due(Notice)


def resend(notice: Notice) -> None:
    policy().reset(Notice, notice.pk)
