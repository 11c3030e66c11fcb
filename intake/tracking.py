"""The 办件编号 coding rule (docs/api.md, "办件编号规则"): pure, stdlib only, like the validators.

20 digits: the 6-digit administrative region code (GB/T 2260) of the site the application was submitted on, the
submission date as yyyymmdd, and a 6-digit sequence counted per region and day from 000001 (services allocates it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .validators import Invalid, gettext_noop

LENGTH = 20
EXAMPLE = "61090220261127000123"
REGION_RE = re.compile(r"[0-9]{6}")  # [0-9], not \d: \d would take other scripts' digits
_DIGITS = re.compile(r"[0-9]+")


class MalformedNumber(Invalid):
    """Not a tracking number under the rule; `reason` names the broken part for machines (the webhook's JSON)."""

    def __init__(self, reason: str, template: str, **params):
        self.reason = reason
        super().__init__(template, example=EXAMPLE, **params)


@dataclass(frozen=True)
class TrackingNumber:
    region: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return format_number(self.region, self.day, self.sequence)


def format_number(region: str, day: date, sequence: int) -> str:
    if not REGION_RE.fullmatch(region or ""):
        raise ValueError(f"region code {region!r} is not 6 digits (GB/T 2260)")
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence {sequence} does not fit 6 digits")
    return f"{region}{day:%Y%m%d}{sequence:06d}"


def normalise(value: str) -> str:
    """What people type, as the rule writes it: full-width digits folded (Chinese input methods), spaces and
    hyphens used to group the digits dropped."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))


def parse(value: str) -> TrackingNumber:
    """The parts of a tracking number written exactly as the rule says, else `MalformedNumber`."""
    if not _DIGITS.fullmatch(value or ""):
        raise MalformedNumber("not_digits", gettext_noop("办件编号由20位数字组成，如 {example}。"))
    if len(value) != LENGTH:
        raise MalformedNumber("length", gettext_noop("办件编号应为20位数字（您填写了{count}位），如 {example}。"),
                              count=len(value))
    try:
        day = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise MalformedNumber("date", gettext_noop("办件编号第7至14位应为提交日期（年月日），“{digits}”不是有效日期。"),
                              digits=value[6:14]) from None
    sequence = int(value[14:])
    if sequence == 0:
        raise MalformedNumber("sequence", gettext_noop("办件编号最后6位是当日序号，从000001起，不能是000000。"))
    return TrackingNumber(region=value[:6], day=day, sequence=sequence)
