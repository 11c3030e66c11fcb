"""The Chinese analyzer: jieba segmentation with the domain dictionary, synonym groups, the fuzzy pinyin of a query."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import jieba

from .common import (
    _CJK_ONLY_RE,
    MAX_QUERY_GROUPS,
    QUERY_STOPWORDS,
    STOPWORDS,
    SYNONYMS_PATH,
    USERDICT_PATH,
    clean_text,
    load_synonyms,
    normalize_query,
)
from .dictionary import read_dictionary
from .pinyin import _pinyin_fuzzy, is_pinyin_query, pinyin_keys, pinyin_query

_WORD_RE = re.compile(r"[^\W_]+")  # a token is letters/digits/CJK only: safe for FTS5 and whitespace

class Analyzer:
    """Segmentation with its own jieba tokenizer (domain dictionary loaded), created on first use.

    Thread-safe: the tokenizer is built once under a lock and only read afterwards.
    """

    def __init__(
        self, userdict_path: Path | str | None = USERDICT_PATH, synonyms_path: Path | str | None = SYNONYMS_PATH
    ) -> None:
        self.userdict_path = Path(userdict_path) if userdict_path else None
        self.synonyms_path = Path(synonyms_path) if synonyms_path else None
        self._lock = threading.Lock()
        self._tokenizer: jieba.Tokenizer | None = None
        self._synonyms: dict[str, list[str]] | None = None

    # lazy state

    def _tk(self) -> jieba.Tokenizer:
        tk = self._tokenizer
        if tk is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._load_tokenizer()
                tk = self._tokenizer
        return tk

    def _load_tokenizer(self) -> jieba.Tokenizer:
        jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
        tk = jieba.Tokenizer()
        tk.initialize()
        if self.userdict_path and self.userdict_path.exists():
            for word, freq, tag in read_dictionary(self.userdict_path):
                tk.add_word(word, freq, tag or None)
        return tk

    @property
    def synonyms(self) -> dict[str, list[str]]:
        """Each synonym term -> its equivalents (union over the groups it is in), in file order."""
        syn = self._synonyms
        if syn is None:
            with self._lock:
                if self._synonyms is None:
                    table: dict[str, list[str]] = {}
                    if self.synonyms_path and self.synonyms_path.exists():
                        for group in load_synonyms(self.synonyms_path):
                            for term in group:
                                alts = table.setdefault(term, [])
                                alts.extend(t for t in group if t != term and t not in alts)
                    self._synonyms = table
                syn = self._synonyms
        return syn

    # segmentation

    def words(self, text: str) -> list[str]:
        """Plain (accurate-mode) segmentation of cleaned, lower-cased text; punctuation dropped."""
        text = clean_text(text).lower()
        out = []
        for word in self._tk().cut(text, HMM=False):
            out.extend(_WORD_RE.findall(word))
        return out

    def _search_words(self, word: str) -> Iterator[str]:
        # Search-engine mode like jieba's cut_for_search (dictionary sub-words, then the word), but
        # with sub-words of every length, not only 2 and 3: 统一社会信用代码 also yields 信用代码,
        # so a query for a short term finds the long one.
        n = len(word)
        if n > 2 and _CJK_ONLY_RE.match(word):
            freq = self._tk().FREQ
            for size in range(2, n):
                for i in range(n - size + 1):
                    sub = word[i : i + size]
                    if freq.get(sub):
                        yield sub
        yield word

    def tokens(self, text: str, *, query: bool = False) -> list[str]:
        """Search-mode tokens of ``text``: lower-cased, punctuation and whitespace dropped.

        Stop words (STOPWORDS; with ``query=True`` also QUERY_STOPWORDS) are dropped. Every
        token matches ``[^\\W_]+`` (letters, digits, CJK), so it is safe to put in an FTS5
        expression or a whitespace-tokenized OpenSearch field.
        """
        stop = QUERY_STOPWORDS if query else STOPWORDS
        out = []
        for word in self.words(text):
            if word in stop:
                continue
            out.extend(t for t in self._search_words(word) if t not in stop)
        return out

    def index_text(self, text: str) -> str:
        """Tokens of a field's text joined by spaces: what to store in a pre-segmented field."""
        return " ".join(self.tokens(text))

    def query_text(self, query: str) -> str:
        """The query's tokens joined by spaces (deduplicated), for OpenSearch's synonym_graph."""
        return " ".join(dict.fromkeys(self.tokens(normalize_query(query), query=True)))

    def query_tokens(self, query: str) -> list[list[str]]:
        """Groups of alternatives, one group per query token: the token first, then its synonyms.

        The database backend ORs the alternatives of a group (and ranks across groups); this
        is the same expansion OpenSearch's synonym_graph makes from data/synonyms.txt.
        """
        groups = []
        for token in dict.fromkeys(self.tokens(normalize_query(query), query=True)):
            groups.append([token, *self.synonyms.get(token, [])])
            if len(groups) >= MAX_QUERY_GROUPS:
                break
        return groups

    def query_pinyin(self, query: str) -> str:
        """A pinyin key for the query, to match against title pinyin keys (exact or prefix).

        For a pinyin query, the letters (``kai chao shi`` -> ``kaichaoshi``). For a Chinese query,
        the fuzzy pinyin (see pinyin_keys) of its words less question words, so a homophone or
        near-homophone typo still finds the title (开超事 -> kaicaosi, the fuzzy key of 开超市;
        开名宿 -> kaiminsu, that of 开民宿). Empty when there is nothing to look up.
        """
        if is_pinyin_query(query):
            return pinyin_query(query)
        words = [w for w in self.words(normalize_query(query)) if w not in QUERY_STOPWORDS]
        text = "".join(words)
        if not re.search(r"[\u4e00-\u9fff]", text):
            return ""
        return _pinyin_fuzzy(text)

    pinyin_keys = staticmethod(pinyin_keys)
    is_pinyin_query = staticmethod(is_pinyin_query)


_default_analyzer: Analyzer | None = None
_default_lock = threading.Lock()


def get_analyzer() -> Analyzer:
    """The process-wide analyzer over search/data (created once, on first use)."""
    global _default_analyzer
    if _default_analyzer is None:
        with _default_lock:
            if _default_analyzer is None:
                _default_analyzer = Analyzer()
    return _default_analyzer


def tokens(text: str, *, query: bool = False) -> list[str]:
    return get_analyzer().tokens(text, query=query)


def index_text(text: str) -> str:
    return get_analyzer().index_text(text)


def query_tokens(query: str) -> list[list[str]]:
    return get_analyzer().query_tokens(query)


def query_text(query: str) -> str:
    return get_analyzer().query_text(query)


def query_pinyin(query: str) -> str:
    return get_analyzer().query_pinyin(query)
