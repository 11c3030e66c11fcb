"""Pure validators: check characters, per-type checks, uploads sniffing, masking (no Django needed)."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake import validators as v

ID_OK = "11010519491231002X"  # the GB 11643 example
USCC_OK = "91350100M000100Y43"


def test_known_good_values():
    assert v.is_valid_id_number(ID_OK)
    assert v.is_valid_uscc(USCC_OK)
    assert v.check_id_number(" 11010519491231002x ") == ID_OK
    assert v.check_id_number("１１０１０５１９４９１２３１００２Ｘ") == ID_OK  # full-width input
    assert v.check_uscc(USCC_OK.lower()) == USCC_OK


def test_messages_are_chinese_and_specific():
    with pytest.raises(v.Invalid, match="18位"):
        v.check_id_number("12345")
    with pytest.raises(v.Invalid, match="校验位"):
        v.check_id_number("110105194912310021")
    with pytest.raises(v.Invalid, match="出生日期"):
        v.check_id_number("110105194913310029")
    with pytest.raises(v.Invalid, match="校验位"):
        v.check_uscc("91350100M000100Y44")
    with pytest.raises(v.Invalid, match="I、O、S、V、Z"):
        v.check_uscc("91350100M000100YO3")


@pytest.mark.parametrize("value,ok", [("13800000000", True), ("19912345678", True), ("12800000000", False),
                                      ("1380000000", False), ("+86 138-0000-0000", True), ("138000000001", False)])
def test_mobile(value, ok):
    if ok:
        assert v.check_mobile(value).startswith("1")
    else:
        with pytest.raises(v.Invalid):
            v.check_mobile(value)


def test_date_number_choice_email():
    assert v.check_date("2026-12-01") == "2026-12-01"
    with pytest.raises(v.Invalid):
        v.check_date("2026-02-30")
    assert v.check_number("1,200") == "1200"
    assert v.check_number("12.50") == "12.50"
    for bad in ("abc", "-1", "NaN", "1e20"):
        with pytest.raises(v.Invalid):
            v.check_number(bad)
    assert v.check_choice("租赁", ["自有", "租赁"]) == "租赁"
    with pytest.raises(v.Invalid):
        v.check_choice("偷来的", ["自有", "租赁"])
    assert v.check_email("a.b@example.cn") == "a.b@example.cn"
    with pytest.raises(v.Invalid):
        v.check_email("a@b")
    with pytest.raises(v.Invalid, match="200"):
        v.check_text("字" * 201)


@st.composite
def id_numbers(draw):
    region = draw(st.text(string.digits, min_size=6, max_size=6))
    birth = draw(st.dates(min_value=__import__("datetime").date(1900, 1, 1),
                          max_value=__import__("datetime").date(2026, 12, 31)))
    seq = draw(st.text(string.digits, min_size=3, max_size=3))
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + v.id_check_digit(first17)


@st.composite
def usccs(draw):
    first17 = draw(st.text(v.USCC_ALPHABET, min_size=17, max_size=17))
    return first17 + v.uscc_check_char(first17)


@given(id_numbers())
def test_generated_ids_are_valid(value):
    assert v.check_id_number(value) == value


@given(id_numbers(), st.integers(0, 17), st.sampled_from(string.digits + "X"))
def test_one_changed_character_makes_an_id_invalid(value, position, replacement):
    mutated = value[:position] + replacement + value[position + 1:]
    if mutated == value:
        return
    # GB 11643's mod-11 check catches every single-character change (unless the date part becomes another
    # valid date with a matching check, which a single substitution cannot do: the check digit differs).
    assert not v.is_valid_id_number(mutated)


@given(usccs())
def test_generated_usccs_are_valid(value):
    assert v.check_uscc(value) == value


@given(usccs(), st.integers(0, 17), st.sampled_from(v.USCC_ALPHABET))
def test_one_changed_character_makes_a_uscc_invalid(value, position, replacement):
    mutated = value[:position] + replacement + value[position + 1:]
    if mutated != value:
        assert not v.is_valid_uscc(mutated)


def test_sniff_by_content_not_name():
    assert v.sniff(b"%PDF-1.7\n") == ("application/pdf", ".pdf")
    assert v.sniff(b"\xff\xd8\xff\xe0") == ("image/jpeg", ".jpg")
    assert v.sniff(b"\x89PNG\r\n\x1a\n") == ("image/png", ".png")
    assert v.sniff(b"MZ\x90\x00") is None
    assert v.sniff(b"<html>") is None


@pytest.mark.parametrize("name,ext,expected", [
    ("../../etc/passwd", ".pdf", "passwd.pdf"),
    ("C:\\Users\\张三\\营业执照.exe", ".png", "营业执照.png"),
    ('a"b;c\r\n.pdf', ".pdf", "abc.pdf"),
    ("", ".jpg", "file.jpg"),
    ("...", ".pdf", "file.pdf"),
])
def test_sanitise_filename(name, ext, expected):
    assert v.sanitise_filename(name, ext) == expected


def test_masking():
    assert v.mask_id_number("610102199001011234") == "6101**********1234"
    assert v.mask_ids_in_text("id=610102199001011234, ok") == "id=6101**********1234, ok"
    assert v.mask_ids_in_text("61090220261127000123") == "61090220261127000123"  # tracking numbers are not IDs
    assert v.mask_phone("13800001234") == "138****1234"
