"""English text: lowercase words, stop words and plurals folded, synonym groups (data/synonyms_en.txt)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .common import DATA_DIR, MAX_QUERY_GROUPS, synonym_lines

# English pages (wagtail-localize translations) are indexed and queried as lowercase words: no segmentation or
# pinyin; queries expand with data/synonyms_en.txt (below). A light plural fold lets "supermarkets" find "supermarket".
ENGLISH_STOPWORDS = frozenset(
    """a an and the of for to in on or with by at from my i want how do does is are be as your you what which
    apply application need needed""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def _fold_plural(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def english_tokens(text: object) -> list[str]:
    """Lowercase words of ``text``, stop words dropped and plurals folded (index and query alike)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", str(text or "")).lower())
    return [_fold_plural(w) for w in words if w not in ENGLISH_STOPWORDS]



# English synonyms (data/synonyms_en.txt): equivalence groups like synonyms.txt, but a term may be several words,
# matched as words in a row ("identity card"). Terms are normalised by english_tokens, as indexed text is.
SYNONYMS_EN_PATH = DATA_DIR / "synonyms_en.txt"


def load_english_synonyms(path: Path | str = SYNONYMS_EN_PATH) -> list[list[str]]:
    """Parse an English synonyms file: ``a, b c, d`` one group a line, each term as english_tokens words joined by
    a space. ``#`` starts a comment; ``=>`` mappings are rejected (see load_synonyms)."""
    groups: list[list[str]] = []
    for _lineno, line in synonym_lines(path):
        group = list(dict.fromkeys(t for t in (" ".join(english_tokens(term)) for term in line.split(",")) if t))
        if len(group) >= 2:
            groups.append(group)
    return groups


_english_synonyms: dict[str, list[str]] | None = None


def english_synonyms() -> dict[str, list[str]]:
    """Each English synonym term -> its equivalents (union over the groups it is in), in file order."""
    global _english_synonyms
    if _english_synonyms is None:
        table: dict[str, list[str]] = {}
        if SYNONYMS_EN_PATH.exists():
            for group in load_english_synonyms(SYNONYMS_EN_PATH):
                for term in group:
                    alts = table.setdefault(term, [])
                    alts.extend(t for t in group if t != term and t not in alts)
        _english_synonyms = table
    return _english_synonyms


def english_query_groups(q: object, synonyms: dict[str, list[str]] | None = None) -> list[list[str]]:
    """Groups of alternatives for an English query: a word, or the longest run of words that is a synonym term
    (as OpenSearch's synonym_graph matches greedily), first, then its synonyms."""
    table = english_synonyms() if synonyms is None else synonyms
    longest = max((t.count(" ") + 1 for t in table), default=1)
    words = english_tokens(q)
    groups: dict[str, list[str]] = {}
    i = 0
    while i < len(words) and len(groups) < MAX_QUERY_GROUPS:
        size = next((n for n in range(min(longest, len(words) - i), 1, -1)
                     if " ".join(words[i : i + n]) in table), 1)
        term = " ".join(words[i : i + size])
        groups.setdefault(term, [term, *table.get(term, [])])
        i += size
    return list(groups.values())
