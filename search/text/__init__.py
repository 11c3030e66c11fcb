"""Text analysis shared by both search engines, by language: Chinese and English.

Pure Python (no Django): the database backend (SQLite FTS5 / PostgreSQL) and OpenSearch both
receive text that this package has already segmented into space-separated tokens, so the two
engines see the same words and give the same answers.

- ``Analyzer.index_text`` turns a field's text into tokens for indexing;
- ``Analyzer.query_tokens`` turns a visitor's query into groups of alternatives (synonyms);
- ``Analyzer.pinyin_keys`` gives the pinyin keys of a theme title (``kcs`` -> 我要开超市);
- ``build_dictionary`` / ``write_dictionary`` derive the jieba user dictionary
  (``data/userdict.txt``) from the reference catalogue and the synonyms (``data/synonyms.txt``);
- ``english_tokens`` / ``english_query_groups`` do the same for English pages (words, no segmentation).

Modules: `common` (data files, limits, normalisation, synonym files), `chinese` (the analyzer), `dictionary`,
`pinyin`, `english`.
"""

from .chinese import (
    Analyzer,
    get_analyzer,
    index_text,
    query_pinyin,
    query_text,
    query_tokens,
    tokens,
)
from .common import (
    CATALOGUE_DIR,
    DATA_DIR,
    MAX_QUERY_GROUPS,
    MAX_QUERY_LENGTH,
    QUERY_STOPWORDS,
    ROOT_DIR,
    STOPWORDS,
    SYNONYMS_PATH,
    USERDICT_PATH,
    clean_text,
    load_synonyms,
    normalize_query,
    strip_title,
    synonym_lines,
)
from .dictionary import (
    KEY_TERMS,
    build_dictionary,
    format_dictionary,
    read_dictionary,
    write_dictionary,
)
from .english import (
    ENGLISH_STOPWORDS,
    SYNONYMS_EN_PATH,
    english_query_groups,
    english_synonyms,
    english_tokens,
    load_english_synonyms,
)
from .pinyin import (
    is_pinyin_query,
    pinyin_keys,
    pinyin_query,
)

__all__ = [
    "CATALOGUE_DIR",
    "DATA_DIR",
    "MAX_QUERY_GROUPS",
    "MAX_QUERY_LENGTH",
    "QUERY_STOPWORDS",
    "ROOT_DIR",
    "STOPWORDS",
    "SYNONYMS_PATH",
    "USERDICT_PATH",
    "clean_text",
    "load_synonyms",
    "normalize_query",
    "strip_title",
    "synonym_lines",
    "Analyzer",
    "get_analyzer",
    "index_text",
    "query_pinyin",
    "query_text",
    "query_tokens",
    "tokens",
    "KEY_TERMS",
    "build_dictionary",
    "format_dictionary",
    "read_dictionary",
    "write_dictionary",
    "is_pinyin_query",
    "pinyin_keys",
    "pinyin_query",
    "ENGLISH_STOPWORDS",
    "SYNONYMS_EN_PATH",
    "english_query_groups",
    "english_synonyms",
    "english_tokens",
    "load_english_synonyms",
]
