"""Links that open an application from a message (SMS, e-mail) in any browser, without the tracking number and phone
being typed again: the link carries a signed, dated key for that one application.

Whoever holds the message holds the phone or mailbox the progress lookup would ask for, so the key grants what the
lookup grants (this browser may then see the receipt and correct the application), for INTAKE_LINK_MAX_AGE seconds.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "intake.applicant-link"


def key_for(tracking_number: str) -> str:
    return signing.dumps(tracking_number, salt=SALT)


def opens(key: str, tracking_number: str) -> bool:
    try:
        value = signing.loads(key, salt=SALT, max_age=settings.INTAKE_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return value == tracking_number


def url(view_name: str, tracking_number: str) -> str:
    """The path of an applicant page (intake:receipt, intake:correct) with the key."""
    path = reverse(view_name, kwargs={"tracking": tracking_number})
    return f"{path}?{urlencode({'k': key_for(tracking_number)})}"
