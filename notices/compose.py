"""Which milestones make a message, and what it says: rows written in the transaction of the change itself.

Receivers of intake's signals. A message is a stored `Notice`, written with the status change (so a change that
rolls back leaves no message, and a committed one always has its messages) and sent by a task after commit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intake import links
from intake.constants import DELIVERY_LABELS, Status

from .constants import Channel, Event
from .models import Contact, Notice

EVENTS_BY_STATUS: dict[str, tuple[str, ...]] = {
    Status.ACCEPTED: (Event.ACCEPTED,),
    Status.RETURNED: (Event.RETURNED,),
    Status.COMPLETED: (Event.COMPLETED,),
    Status.PARTLY_REJECTED: (Event.COMPLETED,),
    Status.DELIVERED: (Event.DELIVERED, Event.RATING),
}

SUBJECTS = {
    Event.ACCEPTED: _("您的办件已受理"),
    Event.RETURNED: _("您的办件需要补正"),
    Event.DECISION: _("部门审批结果"),
    Event.COMPLETED: _("您的办件已办结"),
    Event.DELIVERED: _("您的办理结果已送达"),
    Event.RATING: _("请评价本次服务"),
    Event.VERIFICATION: _("注册验证码"),
}


def on_submitted(sender, *, application, change, **kwargs) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    known = {code for code, _name in settings.LANGUAGES}
    email = application.values.get("applicant.email", "") or getattr(application.applicant, "email", "") or ""
    Contact.objects.update_or_create(application=application, defaults={
        "phone": application.phone, "email": email.strip(),
        "language": language if language in known else settings.LANGUAGE_CODE})


def on_status_changed(sender, *, application, change, **kwargs) -> None:
    for event in EVENTS_BY_STATUS.get(change.to_status, ()):
        queue(application, event, key=f"change-{change.pk}", note=change.note, problems=change.problems)


def on_code_requested(sender, *, phone, code, **kwargs) -> None:
    """Sent at once (no transaction around it); the code is redacted from the row once the gateway has it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {"code": code, "minutes": settings.INTAKE_OTP_TTL // 60,
               "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "")}
    backend = settings.NOTICE_BACKENDS.get(Channel.SMS, "")
    if not backend:
        return
    notice = Notice.objects.create(
        key=f"verification-{uuid.uuid4()}", event=Event.VERIFICATION, channel=Channel.SMS, backend=backend,
        recipient=phone, language=language, subject=str(SUBJECTS[Event.VERIFICATION]),
        body=_body(Event.VERIFICATION, Channel.SMS, context),
        template_code=settings.NOTICE_SMS_TEMPLATES.get(Event.VERIFICATION, ""),
        params={"code": code, "minutes": str(context["minutes"])})
    from .tasks import enqueue_on_commit

    transaction.on_commit(lambda: enqueue_on_commit([notice.pk]))


def on_decided(sender, *, application, task, **kwargs) -> None:
    queue(application, Event.DECISION, key=f"task-{task.pk}", decision=task)


def queue(application, event: str, *, key: str, **extra) -> list[Notice]:
    """The event's messages on every channel the applicant can be reached by; sent after commit."""
    contact = Contact.objects.filter(application=application).first()
    if contact is None:  # submitted before notices existed, or by a path that takes no contact
        contact = Contact(application=application, phone=application.phone)
    recipients = {Channel.SMS: contact.phone, Channel.EMAIL: contact.email}
    rows = []
    with translation.override(contact.language):
        context = _context(application, event, **extra)
        for channel, recipient in recipients.items():
            backend = settings.NOTICE_BACKENDS.get(channel, "")
            if not recipient or not backend:
                continue
            notice, created = Notice.objects.get_or_create(key=f"{key}:{event}:{channel}", defaults={
                "application": application, "event": event, "channel": channel, "backend": backend,
                "recipient": recipient, "language": contact.language, "subject": str(SUBJECTS[event]),
                "body": _body(event, channel, context),
                "template_code": settings.NOTICE_SMS_TEMPLATES.get(event, "") if channel == Channel.SMS else "",
                "params": _params(context) if channel == Channel.SMS else {},
            })
            if created:
                rows.append(notice)
    if rows:
        from .tasks import enqueue_on_commit

        transaction.on_commit(lambda: enqueue_on_commit([n.pk for n in rows]))
    return rows


def _body(event: str, channel: str, context: dict) -> str:
    """One template per event; e-mail gets the full lists, SMS the short form (and gateways their own template)."""
    text = render_to_string(f"notices/{event}.txt", {**context, "email": channel == Channel.EMAIL})
    lines = [line.rstrip() for line in text.strip().splitlines()]
    # Template tags leave empty lines; keep one between paragraphs at most.
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))


def _context(app, event: str, *, note: str = "", problems=(), decision=None) -> dict:
    base = app.site.root_url if app.site_id else settings.WAGTAILADMIN_BASE_URL
    context = {
        "app": app, "event": event, "note": note, "problems": list(problems or []), "decision": decision,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "receipt_url": base + links.url("intake:receipt", app.tracking_number),
        "correction_url": base + links.url("intake:correct", app.tracking_number),
        "progress_url": base + reverse("intake:progress"),
        "delivery_way": DELIVERY_LABELS.get(app.delivery, app.delivery),
        "delivery": app.delivery_info,
        "results": list(app.tasks.order_by("pk")) if event == Event.COMPLETED else [],
    }
    try:  # the rating page is the window's; an intake deployed without it invites to no page
        context["rating_url"] = base + reverse("window:rate")
    except NoReverseMatch:
        context["rating_url"] = context["progress_url"]
    return context


def _params(context: dict) -> dict[str, str]:
    """The SMS template's variables: the gateway composes the text from its approved template and these."""
    app = context["app"]
    link = {Event.RETURNED: context["correction_url"], Event.RATING: context["rating_url"]}.get(
        context["event"], context["receipt_url"])
    params = {"number": app.tracking_number, "theme": app.theme_title, "link": link}
    if context["problems"]:
        params["count"] = str(len(context["problems"]))
    delivery = context["delivery"]
    for name in ("pickup_code", "pickup_place", "waybill_number"):
        if delivery.get(name):
            params[name] = delivery[name]
    if context["decision"] is not None:
        params["item"] = context["decision"].item_name
        params["result"] = context["decision"].get_status_display()
    return params
