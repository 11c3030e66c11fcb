"""From verified claims to a local user: first sign-in creates the user, every sign-in refreshes the claims.

An account is found by (audience, issuer, subject) only, never by a name the provider sends: a provider account
named ``admin`` must not become the local ``admin``. The one exception is an applicant's phone, which both the SMS
code at registration and the provider have verified: that password account is linked rather than duplicated.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .constants import Audience, SubjectType
from .models import Identity
from .signals import staff_signed_in

logger = logging.getLogger(__name__)

_SHAPES = {
    "id_number": re.compile(r"\d{17}[\dX]"),
    "phone": re.compile(r"1\d{10}"),
    "credit_code": re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}"),
}
_LENGTHS = {f.name: f.max_length for f in Identity._meta.get_fields() if getattr(f, "max_length", None)}


class SignInRefused(ValueError):
    """The claims cannot make a local account (e.g. no subject); the message is for the log."""


def claim(claims: dict, key: str):
    """The value of our ``key`` (name, id_number, …) under the provider's claim name (settings.OIDC_CLAIMS)."""
    return claims.get(settings.OIDC_CLAIMS.get(key, key))


def _text(claims: dict, key: str) -> str:
    value = claim(claims, key)
    if isinstance(value, list):
        value = value[0] if value else ""
    value = str(value or "").strip().upper() if key in _SHAPES else str(value or "").strip()
    if key in _SHAPES and value and not _SHAPES[key].fullmatch(value):
        # Kept out rather than stored wrong: the form asks for it instead of prefilling a bad value.
        logger.warning("identity claim %s has an unexpected shape; ignored", key)
        return ""
    return value[: _LENGTHS.get(key, 200)]


def _verified(value) -> bool:
    return value is True or str(value).lower() == "true"


def profile(claims: dict) -> dict:
    """The Identity fields the claims give."""
    kind = settings.OIDC_SUBJECT_TYPES.get(str(claim(claims, "subject_type") or "").strip(), "")
    values = {key: _text(claims, key) for key in ("name", "id_number", "credit_code", "company_name",
                                                  "level_of_assurance")}
    values["phone"] = _text(claims, "phone") if _verified(claim(claims, "phone_verified")) else ""
    values["subject_type"] = kind if kind in SubjectType.values else ""
    return values


def _hashed_username(prefix: str, issuer: str, subject: str) -> str:
    return f"{prefix}-{hashlib.sha256(f'{issuer} {subject}'.encode()).hexdigest()[:16]}"


def _new_user(audience: str, issuer: str, subject: str, claims: dict, values: dict):
    User = get_user_model()
    if audience == Audience.PUBLIC:
        phone = values["phone"]
        owner = User.objects.filter(username=phone).first() if phone else None
        if owner is not None and not owner.identities.filter(audience=audience, issuer=issuer).exists():
            return owner
        username = phone if phone and owner is None else _hashed_username("oidc", issuer, subject)
    else:
        wanted = _text(claims, "username")[:100] or subject[:100]
        taken = User.objects.filter(username=wanted).exists()
        username = _hashed_username(wanted[:40], issuer, subject) if taken else wanted
    user = User(username=username)
    user.set_unusable_password()
    user.save()
    return user


def _sync_groups(user, claims: dict) -> None:
    """The provider decides a staff member's groups; only groups that exist here are granted (never created)."""
    names = claim(claims, "groups")
    if names is None:
        return  # the provider does not send groups: keep what an administrator set here
    names = {str(n).strip("/") for n in (names if isinstance(names, list) else [names])}
    user.groups.set(Group.objects.filter(name__in=names))


@transaction.atomic
def sign_in(audience: str, issuer: str, claims: dict):
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("the ID token has no sub")
    values = profile(claims)
    identity = (Identity.objects.select_for_update().select_related("user")
                .filter(audience=audience, issuer=issuer, subject=subject).first())
    if identity is None:
        identity = Identity(audience=audience, issuer=issuer, subject=subject,
                            user=_new_user(audience, issuer, subject, claims, values))
    for field, value in values.items():
        setattr(identity, field, value)
    identity.signed_in_at = timezone.now()
    identity.save()
    user = identity.user
    if not user.is_active:
        raise SignInRefused("the local account is disabled")
    user.first_name = values["name"][:150]
    if audience == Audience.STAFF:
        user.email = _text(claims, "email")[:254]
        _sync_groups(user, claims)
    user.save(update_fields=["first_name", "email"])
    if audience == Audience.STAFF:
        staff_signed_in.send(sender=Identity, identity=identity, claims=claims)
    return user


def latest(user, audience: str = Audience.PUBLIC) -> Identity | None:
    """The user's identity at a provider as of the latest sign-in, or None (a password account)."""
    if user is None or not user.is_authenticated:
        return None
    return user.identities.filter(audience=audience).order_by("-signed_in_at").first()
