"""One-time codes that prove a phone number is the registrant's (注册短信验证码).

The code lives only in the shared cache, as an HMAC (a cache dump reveals no code), for OTP_TTL seconds; it is
good once, and OTP_MAX_TRIES wrong guesses burn it. Asking for codes is limited per number (nobody can flood
someone's phone) and per client (nobody can walk through numbers), across every web process.
Sending is not intake's: `signals.code_requested` reaches whichever app delivers messages (notices).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache

from . import signals
from .ratelimit import client_ip, exhausted

log = logging.getLogger("intake.otp")


class Refused(Exception):
    """Too many requests: ``reason`` is "wait" (asked again too soon), "phone" or "client" (over the limit)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"otp:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(request, phone: str) -> None:
    """Issue a code for ``phone`` (already a valid mobile number) and have it sent; Refused if limited."""
    # The interval first: a double click must not use up the hourly allowance.
    if not cache.add(f"otp:wait:{phone}", 1, settings.INTAKE_OTP_INTERVAL):
        raise Refused("wait")
    if exhausted(f"otp:phone:{phone}", settings.INTAKE_OTP_RATE_PHONE):
        raise Refused("phone")
    if exhausted(f"otp:client:{client_ip(request)}", settings.INTAKE_OTP_RATE_CLIENT):
        raise Refused("client")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    cache.set(f"otp:code:{phone}", {"digest": _digest(phone, code), "tries": 0}, settings.INTAKE_OTP_TTL)
    if not signals.code_requested.send(sender=None, phone=phone, code=code):
        log.error("no app delivers verification codes (notices not installed): %s cannot register", phone[:3])


def check_code(phone: str, code: str) -> bool:
    """True once for the right code; a wrong one counts a try, and the last try burns the code."""
    key = f"otp:code:{phone}"
    held = cache.get(key)
    if not held:
        return False
    if hmac.compare_digest(held["digest"], _digest(phone, code.strip())):
        # delete before answering: two requests with the same code cannot both pass the (non-atomic) get
        return bool(cache.delete(key))
    held["tries"] += 1
    if held["tries"] >= settings.INTAKE_OTP_MAX_TRIES:
        cache.delete(key)
    else:
        cache.set(key, held, settings.INTAKE_OTP_TTL)
    return False
