"""What both languages share: the data files, the query limits, text normalisation, synonym files."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT_DIR / "demo" / "catalogue"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
SYNONYMS_PATH = DATA_DIR / "synonyms.txt"

# A query longer than this is cut. Real queries are a few words (the longest theme title has 19
# characters); the cap bounds the work per request (segmentation, synonym expansion) and the size
# of the query sent to the engines (FTS5 expression length, OpenSearch max_clause_count), so a
# pasted essay or a hostile 10k-character string costs no more than an ordinary query.
MAX_QUERY_LENGTH = 100
_RAW_QUERY_LIMIT = 10 * MAX_QUERY_LENGTH
# Upper bound on the groups query_tokens returns, for the same reason (each group becomes an OR).
MAX_QUERY_GROUPS = 40

# Dropped from indexed text and from queries: function words and the boilerplate every theme
# carries (我要…, …一件事), which would only add noise to the ranking.
STOPWORDS = frozenset(
    """
    的 地 得 了 着 过 和 与 及 或 等 之 在 是 我 我要 要 办理 一件事 其 该 并 且 将 以 于 为 对 由 向 从 把 被
    """.split()
)
# Also dropped from queries: how people phrase a question, not what they look for. Indexed text keeps
# them (a query never asks for them), while every index stop word is a query stop word too, so a
# query never looks for a word the index dropped.
QUERY_STOPWORDS = STOPWORDS | frozenset(
    """
    怎么 怎么办 怎么样 怎样 如何 咋 咋办 咋样 啥 什么 哪些 哪个 哪里 哪儿 在哪 在哪里 在哪儿 去哪 去哪里 去哪儿
    需要 需 想 我想 我们 咱 咱们 你 你们 您 他 她 它 可以 能 能不能 可不可以 会 应该 必须
    吗 呢 吧 啊 呀 哦 嘛 么 哈 啦 呗 请问 请 帮 帮忙 一下 个 一个 这个 那个 这 那 有 有没有 没 还 也 就 都 又 再
    办 去 到 给 跟 同 后 之后 以后 然后 时 时候 手续 流程 步骤 材料 资料 东西 问题 相关 多少 多久
    """.split()
)


_CJK_ONLY_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_WHITESPACE_RE = re.compile(r"\s+")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})




def clean_text(text: object) -> str:
    """NFKC-normalise, drop control/format/surrogate/unassigned characters and collapse whitespace.

    Used for indexed text (no length limit) and, with a cut, for queries. Never raises.
    """
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", text)
    chars = []
    for ch in text:
        if ch.isspace():
            chars.append(" ")
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            chars.append(ch)
    return _WHITESPACE_RE.sub(" ", "".join(chars)).strip()


def normalize_query(q: object) -> str:
    """The query as the engines should see it: cleaned (see clean_text) and cut to 100 characters.

    NFKC makes full-width letters and digits (ｋｃｓ, １２３) plain; control, format (zero-width),
    surrogate and private-use characters go, because they cannot be typed on purpose and a lone
    surrogate cannot even be encoded to UTF-8 for the database; the cap is MAX_QUERY_LENGTH (why:
    see there). The cut comes after NFKC, which can lengthen a string. Never raises.
    """
    if isinstance(q, str) and len(q) > _RAW_QUERY_LIMIT:
        q = q[:_RAW_QUERY_LIMIT]  # bound the cleaning work on a huge paste before the real cut
    text = clean_text(q)
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH].rstrip()
    return text




def synonym_lines(path: Path | str) -> Iterator[tuple[int, str]]:
    """(line number, text) of each group line of a synonyms file, comments and blank lines skipped; ``=>``
    mappings are refused for both languages' files (see load_synonyms)."""
    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            raise ValueError(f"{path}:{lineno}: only equivalence groups are supported, not '=>'")
        yield lineno, line


def load_synonyms(path: Path | str = SYNONYMS_PATH) -> list[list[str]]:
    """Parse a Solr-format synonyms file of equivalence groups (``a,b,c`` one group a line).

    ``#`` starts a comment; terms are NFKC-normalised and lower-cased like tokens. Explicit
    mappings (``a => b``) are rejected: both engines must read the file the same way, and only
    equivalence groups expand identically in OpenSearch's synonym_graph and in query_tokens.
    """
    groups: list[list[str]] = []
    for lineno, line in synonym_lines(path):
        group: list[str] = []
        for term in line.split(","):
            term = clean_text(term).lower()
            if not term:
                continue
            if " " in term:
                raise ValueError(f"{path}:{lineno}: term {term!r} must be one word (no spaces)")
            if term not in group:
                group.append(term)
        if len(group) >= 2:
            groups.append(group)
    return groups


# Theme-title boilerplate around the words people actually type.
_TITLE_PREFIXES = ("我要", "办理")
_TITLE_SUFFIXES = ("一件事",)


def strip_title(title: str) -> str:
    for prefix in _TITLE_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            title = title[len(prefix) :]
            break
    for suffix in _TITLE_SUFFIXES:
        if title.endswith(suffix) and len(title) > len(suffix):
            title = title[: -len(suffix)]
            break
    return title
