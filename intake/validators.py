"""Pure checks of unified-form values and uploads (stdlib only, no Django), with the messages people see.

Each `check_*` returns the normalised value or raises `Invalid` with a Chinese message; the form layer only
maps field types to these functions, so the rules are tested without a database. Messages are Chinese templates
marked with `gettext_noop` (a no-op here, a marker for makemessages); `Invalid.render(gettext)` gives them in the
page's language, the same pattern as the screening engine's answer messages.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ID_IN_TEXT_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def gettext_noop(message: str) -> str:
    return message


class Invalid(ValueError):
    """A value people typed is not acceptable; str(exc) is the Chinese message, `render` the translated one."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template.format(**params))

    def render(self, translate=lambda message: message) -> str:
        return translate(self.template).format(**self.params)


# --------------------------------------------------------------------------- check characters


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_digit(value[:17]) == value[17]


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


# --------------------------------------------------------------------------- per field type


def _clean(value: str) -> str:
    # Full-width digits and letters are common from Chinese input methods: fold them to ASCII first.
    return unicodedata.normalize("NFKC", value or "").strip()


def check_text(value: str, max_length: int = 200) -> str:
    value = _clean(value)
    if len(value) > max_length:
        raise Invalid(gettext_noop("不能超过{max_length}个字。"), max_length=max_length)
    return value


def check_id_number(value: str) -> str:
    value = _clean(value).upper().replace(" ", "")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise Invalid(gettext_noop("请填写18位居民身份证号码（最后一位可以是X）。"))
    if not is_valid_id_number(value):
        raise Invalid(gettext_noop("身份证号码有误（出生日期或校验位不符），请核对。"))
    return value


def check_uscc(value: str) -> str:
    value = _clean(value).upper().replace(" ", "")
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        raise Invalid(gettext_noop("请填写18位统一社会信用代码（数字和大写字母，不含I、O、S、V、Z）。"))
    if not is_valid_uscc(value):
        raise Invalid(gettext_noop("统一社会信用代码校验位不符，请核对。"))
    return value


def check_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", _clean(value))
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE_RE.fullmatch(value):
        raise Invalid(gettext_noop("请填写11位手机号码，如 13800000000。"))
    return value


def check_date(value: str) -> str:
    value = _clean(value)
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise Invalid(gettext_noop("请按“年-月-日”填写日期，如 2026-12-01。")) from None


def check_number(value: str) -> str:
    value = _clean(value).replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Invalid(gettext_noop("请填写数字。")) from None
    if not number.is_finite() or number < 0:
        raise Invalid(gettext_noop("请填写不小于0的数字。"))
    if abs(number) >= Decimal(10) ** 12:
        raise Invalid(gettext_noop("数字过大，请核对。"))
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


def check_choice(value: str, choices: list[str]) -> str:
    value = _clean(value)
    if value not in choices:
        raise Invalid(gettext_noop("请从列出的选项中选择。"))
    return value


def check_email(value: str) -> str:
    value = _clean(value)
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        raise Invalid(gettext_noop("请填写有效的电子邮箱，如 name@example.com。"))
    return value


def check_value(field_type: str, value: str, choices: list[str] | None = None) -> str:
    """The normalised value of a non-empty answer to a field of ``field_type`` (FieldType values)."""
    if field_type == "id_number":
        return check_id_number(value)
    if field_type == "uscc":
        return check_uscc(value)
    if field_type == "phone":
        return check_mobile(value)
    if field_type == "date":
        return check_date(value)
    if field_type == "number":
        return check_number(value)
    if field_type == "choice":
        return check_choice(value, list(choices or []))
    if field_type == "email":
        return check_email(value)
    if field_type == "textarea":
        return check_text(value, 2000)
    return check_text(value, 300 if field_type == "address" else 200)


# --------------------------------------------------------------------------- uploads

#: Accepted content types by their first bytes; the file name is never trusted.
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG by its magic bytes, else None."""
    for magic, content_type, ext in MAGIC:
        if head.startswith(magic):
            return content_type, ext
    return None


def sanitise_filename(name: str, ext: str = "", max_length: int = 80) -> str:
    """A display name safe in headers and on any file system: no path, no control or reserved characters."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*;')
    name = name.strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: max_length - len(ext)].strip(" .") or "file"
    return stem + ext


# --------------------------------------------------------------------------- personal data


def mask_id_number(value: str) -> str:
    """6101**********1234: enough to tell two people apart at a counter, not enough to reuse."""
    value = value or ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_ids_in_text(text: str) -> str:
    """Every 18-character resident ID in free text masked (for log lines)."""
    return ID_IN_TEXT_RE.sub(lambda m: mask_id_number(m.group(0)), text)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value
