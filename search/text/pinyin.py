"""Pinyin keys of theme titles and pinyin queries (``kcs`` -> 我要开超市)."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

from .common import clean_text, normalize_query, strip_title

_PINYIN_QUERY_RE = re.compile(r"^[a-zü' ]+$")
_PINYIN_LETTERS_RE = re.compile(r"[^a-z0-9]")

def _syllables(text: str) -> list[str]:
    return [_PINYIN_LETTERS_RE.sub("", s.lower()) for s in lazy_pinyin(text, style=Style.NORMAL)]


def _pinyin_full(text: str) -> str:
    return "".join(_syllables(text))


def _pinyin_initials(text: str) -> str:
    return _PINYIN_LETTERS_RE.sub("", "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower())


def _fuzzy_syllable(syllable: str) -> str:
    # The confusions pinyin input methods offer as "fuzzy pinyin" and local accents make:
    # zh/ch/sh ~ z/c/s and -ng ~ -n (名宿 mingsu ~ 民宿 minsu).
    for retroflex in ("zh", "ch", "sh"):
        if syllable.startswith(retroflex):
            syllable = retroflex[0] + syllable[2:]
            break
    if syllable.endswith(("ang", "eng", "ing")):
        syllable = syllable[:-1]
    return syllable


def _pinyin_fuzzy(text: str) -> str:
    return "".join(_fuzzy_syllable(s) for s in _syllables(text))


def pinyin_keys(title: str) -> list[str]:
    """Pinyin keys of a theme title, for the title's pinyin field only.

    Full syllables and initials, of the title and of the title without 我要/办理/一件事 (and of
    a bracketed part on its own): 我要开超市 -> woyaokaichaoshi, wykcs, kaichaoshi, kcs. Each full
    key also comes with ü typed ``u`` instead of ``v`` (旅馆: lvguan, luguan) and in fuzzy form
    (zh/ch/sh -> z/c/s, -ng -> -n: 开诊所 -> kaizensuo), which is what query_pinyin gives for a
    Chinese query. Tones are ignored.
    """
    title = clean_text(title)
    main, *extra = [p for p in re.split(r"[（）()]", title) if p.strip()] or [""]
    variants = [main, strip_title(main), *extra]
    variants = [v for v in (re.sub(r"[^\w]", "", v) for v in variants) if v]
    keys: list[str] = []
    exact = [key for v in variants for key in (_pinyin_full(v), _pinyin_initials(v))]
    spelled = [key for v in variants for key in (_pinyin_full(v).replace("v", "u"), _pinyin_fuzzy(v))]
    for key in exact + spelled:  # the keys as typed first, then the alternative spellings
        if key and key not in keys:
            keys.append(key)
    return keys


def is_pinyin_query(q: object) -> bool:
    """True when the query is Latin letters only (with spaces or apostrophes): pinyin or initials.

    A hint, not a verdict (``ktv`` is not pinyin): search the pinyin field in addition to the
    text fields, not instead of them.
    """
    text = _fold_pinyin(normalize_query(q))
    return bool(text) and bool(_PINYIN_QUERY_RE.match(text)) and any(c.isalpha() for c in text)


def _fold_pinyin(text: str) -> str:
    # Tone marks (kāi) go; ü is kept for the caller to map.
    text = text.lower().replace("ü", "\0")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("\0", "ü")


def pinyin_query(q: object) -> str:
    """The pinyin key to look up for a pinyin query: ``Kai Chao'shi`` -> ``kaichaoshi``; else ''."""
    if not is_pinyin_query(q):
        return ""
    return _fold_pinyin(normalize_query(q)).replace("ü", "v").replace("'", "").replace(" ", "")
