"""Chinese text analysis shared by both search engines.

Pure Python (no Django): the database backend (SQLite FTS5 / PostgreSQL) and OpenSearch both
receive text that this module has already segmented into space-separated tokens, so the two
engines see the same words and give the same answers.

- ``Analyzer.index_text`` turns a field's text into tokens for indexing;
- ``Analyzer.query_tokens`` turns a visitor's query into groups of alternatives (synonyms);
- ``Analyzer.pinyin_keys`` gives the pinyin keys of a theme title (``kcs`` -> 我要开超市);
- ``build_dictionary`` / ``write_dictionary`` derive the jieba user dictionary
  (``data/userdict.txt``) from the reference catalogue and the synonyms (``data/synonyms.txt``).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import jieba
import yaml
from pypinyin import Style, lazy_pinyin

ROOT_DIR = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT_DIR / "demo" / "catalogue"
DATA_DIR = Path(__file__).resolve().parent / "data"
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

# Theme-title boilerplate around the words people actually type.
_TITLE_PREFIXES = ("我要", "办理")
_TITLE_SUFFIXES = ("一件事",)

# Key nouns of this domain that jieba's default dictionary splits or misses, plus the colloquial
# words visitors use for them. Catalogue-derived words and synonym terms are added by code.
KEY_TERMS = """
营业执照 执照 统一社会信用代码 信用代码 食品经营许可证 食品经营许可 食品生产许可证 食品生产许可 小餐饮
卷烟零售许可证 烟草专卖零售许可证 烟草专卖零售许可 烟草专卖 卷烟零售 烟草零售 卖烟 雪茄烟 卷烟
不动产权证书 不动产权证 不动产登记 不动产 房产证 房本 房屋所有权证
个体工商户 个体户 法定代表人 经营者 经营场所 主体登记 公司章程 注册资本 经营范围
公共场所卫生许可证 公共场所卫生许可 卫生许可证 卫生许可 特种行业许可证 特种行业许可 消防安全检查 消防验收
户外招牌 户外广告 公章 刻章 公章刻制 印章 发票 清税 清税证明 简易注销 一般注销 注销登记 变更登记 设立登记
经营异常名录 严重违法失信名单 失信名单 信用修复 纳税信用 行政处罚
预包装食品 散装食品 食品小作坊 小作坊 健康证 健康证明 预付卡 单用途商业预付卡
排污许可证 排污许可 排污登记 环境影响评价 环评 环境影响登记表 施工许可证 施工许可 规划许可证 竣工验收 联合验收
社会保险 社保 社保卡 社会保障卡 电子社保卡 医保 医保卡 医疗保险 养老保险 失业保险 工伤保险 生育保险
失业保险金 失业金 养老金 退休金 退休工资 养老保险待遇 住房公积金 公积金 居民医保 职工医保
最低生活保障 低保 特困人员 临时救助 医疗救助 高龄津贴 高龄补贴 育儿补贴 生育津贴 丧葬补助金 抚恤金 优待证
出生医学证明 出生证明 出生证 预防接种证 户口簿 户口本 居民户口簿 身份证 居民身份证 结婚证 离婚证
驾驶证 驾照 行驶证 号牌 临时号牌 上牌 护照 港澳通行证 台湾通行证 通行证 签注 居住证 残疾人证
上户口 报户口 落户 户口登记 户口迁移 迁户口 出生登记 结婚登记 婚姻登记
异地就医 门诊慢特病 慢特病 手工报销 生育登记 孕产妇 婴幼儿 新生儿
宅基地 农村建房 自建房 危房改造 公租房 公共租赁住房 二手房 存量房 商品房 新建商品房 网签备案 契税 转移登记
抵押登记 水电气网 水电气 报装 过户 创业担保贷款 一次性创业补贴 创业补贴 就业见习 就业困难人员 灵活就业
高新技术企业 高新企业 研发费用 加计扣除 大型群众性活动 营业性演出 焰火燃放 马拉松 体育赛事
大件运输 超限运输 危险化学品 危化品 易制毒 易制爆 成品油 加油站 加气站
外国人工作许可证 工作许可证 居留许可 来华工作 法律援助 劳动仲裁 见义勇为 工伤认定
地理标志 富硒茶 绞股蓝 拐枣 魔芋 家庭农场 农民专业合作社 合作社 农家乐 民宿 网吧 网咖 电竞馆 歌舞厅
游艺厅 电玩城 健身房 游泳馆 养老院 养老机构 幼儿园 驾校 旅行社 印刷厂 书店 诊所 药店 便利店 超市 饭店 餐馆
旅馆 宾馆 酒店 电影院 美容美发 理发店 美甲店 足浴店 洗浴中心 浴池 夜市 摊位 摆摊 电商 网店
""".split()

# Place names of the city and its counties (sites.yaml has the full names).
_PLACE_SUFFIX_RE = re.compile(r"(县|区|市)$")

# Separators inside catalogue names; a conjunction splits only between two words of 2+ characters,
# so 共和国 or 涉及 stay whole.
_NAME_SPLIT_RE = re.compile(r"[\s（）()【】\[\]、，,；;：:/“”\"'《》〈〉·.]+")
_CONJ_SPLIT_RE = re.compile(r"(?<=[\u4e00-\u9fff]{2})[及和与或](?=[\u4e00-\u9fff]{2})")
_CJK_ONLY_RE = re.compile(r"^[\u4e00-\u9fff]+$")
# A leading character that marks a clause fragment rather than a term.
_FRAGMENT_STARTS = set("的与及和或在对由经按含从向以于为其该并且将已未不非仅书委解等第上相附记")

# Verbs and procedure words at the end of item names: what is left before them is the object the
# visitor names (烟草专卖零售许可 -> 烟草专卖零售, 失业保险金申领 -> 失业保险金).
_ACTION_SUFFIXES = tuple(
    """
    设立登记 注销登记 变更登记 迁移登记 首次登记 转移登记 登记 备案 审批 核发 许可 申领 认定 办理 申请 给付 开具
    签发 换领 补领 变更 注销 查询 报名 核准 审核 确认 发放 支付 拨付 录入 报装 过户 报销 审查 评定 申报 核实 验收
    转移接续 接续 转移
    """.split()
)
_BAD_STEM_ENDINGS = ("简易", "首次", "一般", "正常")
# Material names worth a dictionary entry end like documents do.
_DOCUMENT_SUFFIXES = tuple(
    """
    证 证书 证明 执照 许可证 合同 章程 簿 本 表 书 报告 发票 凭证 卡 照片 协议 清单 图 名册 记录 档案 通知书 决定书
    """.split()
)

# Default-dictionary words that glue a question word to the content (我想开个超市 -> 想开): written
# with frequency 1 so jieba splits them and the stop word goes.
_SPLIT_TERMS = ("想开", "要办", "能开")

_DICT_FLOOR = 1000  # minimum frequency: domain terms should win over their parts in context too
_DICT_FIT_ROUNDS = 8

_WORD_RE = re.compile(r"[^\W_]+")  # a token is letters/digits/CJK only: safe for FTS5 and whitespace
_PINYIN_QUERY_RE = re.compile(r"^[a-zü' ]+$")
_PINYIN_LETTERS_RE = re.compile(r"[^a-z0-9]")
_WHITESPACE_RE = re.compile(r"\s+")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

_log = logging.getLogger(__name__)


# --- normalisation ---------------------------------------------------------------------------


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


# --- synonyms --------------------------------------------------------------------------------


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


# --- dictionary ------------------------------------------------------------------------------


def _load_yaml(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or []


def _split_name(name: str) -> list[str]:
    """Split a catalogue name into candidate terms at punctuation, brackets and conjunctions."""
    pieces = []
    for part in _NAME_SPLIT_RE.split(name):
        pieces.extend(p.removesuffix("等") for p in _CONJ_SPLIT_RE.split(part) if p)
    return pieces


def _is_term(piece: str, max_len: int) -> bool:
    return (
        2 <= len(piece) <= max_len
        and bool(_CJK_ONLY_RE.match(piece))
        and piece[0] not in _FRAGMENT_STARTS
        and "的" not in piece
        and piece not in STOPWORDS
    )


def _strip_title(title: str) -> str:
    for prefix in _TITLE_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            title = title[len(prefix) :]
            break
    for suffix in _TITLE_SUFFIXES:
        if title.endswith(suffix) and len(title) > len(suffix):
            title = title[: -len(suffix)]
            break
    return title


def _strip_action(piece: str) -> str | None:
    for suffix in _ACTION_SUFFIXES:
        if piece.endswith(suffix) and len(piece) - len(suffix) >= 2:
            stem = piece[: -len(suffix)]
            return None if stem.endswith(_BAD_STEM_ENDINGS) else stem
    return None


def _catalogue_terms(catalogue_dir: Path) -> dict[str, str]:
    """Domain terms of the catalogue, each with a part-of-speech tag for the jieba dictionary."""
    terms: dict[str, str] = {}

    def add(term: str, tag: str, max_len: int = 8) -> None:
        if _is_term(term, max_len):
            terms.setdefault(term, tag)

    for path in sorted((catalogue_dir / "themes").glob("*.yaml")):
        title = str(_load_yaml(path).get("title", ""))
        for piece in _split_name(title):
            piece = _strip_title(_strip_title(piece))  # 我要开超市 -> 开超市; 新生儿出生一件事 -> 新生儿出生
            add(piece, "nz", max_len=10)

    item_files = [catalogue_dir / "items.yaml", *sorted(catalogue_dir.glob("items-*.yaml"))]
    for path in item_files:
        if not path.exists():
            continue
        for item in _load_yaml(path):
            for piece in _split_name(str(item.get("name", ""))):
                add(piece, "vn")
                stem = _strip_action(piece)
                if stem:
                    add(stem, "n")

    materials = catalogue_dir / "materials.yaml"
    if materials.exists():
        for material in _load_yaml(materials):
            for piece in _split_name(str(material.get("name", ""))):
                if piece.endswith(_DOCUMENT_SUFFIXES):
                    add(piece, "n")

    departments = catalogue_dir / "departments.yaml"
    if departments.exists():
        for dept in _load_yaml(departments):
            add(str(dept.get("short", "")), "nt", max_len=10)
            for piece in _NAME_SPLIT_RE.split(str(dept.get("name", ""))):
                piece = piece.rsplit("安康市", 1)[-1]
                if piece.endswith(("局", "委员会", "办公室", "中心", "联合会", "支队")):
                    add(piece, "nt", max_len=12)

    sites = catalogue_dir / "sites.yaml"
    if sites.exists():
        for site in _load_yaml(sites):
            name = str(site.get("name", ""))
            if site.get("level") == "county":
                add(name, "ns")
                add(_PLACE_SUFFIX_RE.sub("", name), "ns")
    return terms


def _fit_frequencies(terms: dict[str, str]) -> list[tuple[str, int, str]]:
    """Give each term a frequency that makes jieba keep it whole: its default one, at least
    _DICT_FLOOR, raised for the terms still split until none is.

    Fitted on a tokenizer loaded exactly as Analyzer loads the file (default dictionary, then
    every entry), so the check holds for the analyzer too. Deterministic for a given jieba
    version, catalogue and synonyms file. _SPLIT_TERMS get frequency 1 (split, not kept).
    """
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    base_freq, base_total = dict(tk.FREQ), tk.total
    words = sorted(terms)
    freq = {w: max(base_freq.get(w, 0), _DICT_FLOOR) for w in words}
    fixed = {w: 1 for w in _SPLIT_TERMS if w not in terms}
    failing: list[str] = []
    for _ in range(_DICT_FIT_ROUNDS):
        tk.FREQ, tk.total = dict(base_freq), base_total
        for w in words:
            tk.add_word(w, freq[w])
        for w, f in fixed.items():
            tk.add_word(w, f)
        failing = [w for w in words if list(tk.cut(w, HMM=False)) != [w]]
        if not failing:
            break
        for w in failing:
            # jieba keeps a word when its probability beats the product of its parts' (suggest_freq)
            need = float(tk.total)
            for part in tk.cut(w, HMM=False):
                need *= (tk.FREQ.get(part) or 1) / tk.total
            freq[w] = max(freq[w] * 2, int(need) * 2 + 1)
    if failing:
        _log.warning("userdict: %d terms still split after fitting: %s", len(failing), failing[:10])
    entries = [(w, freq[w], terms[w]) for w in words] + [(w, f, "x") for w, f in fixed.items()]
    return sorted(entries)


def build_dictionary(
    catalogue_dir: Path | str = CATALOGUE_DIR, synonyms_path: Path | str | None = SYNONYMS_PATH
) -> list[tuple[str, int, str]]:
    """The jieba user dictionary for this catalogue: ``(word, frequency, tag)`` sorted by word.

    Words: theme titles without 我要/办理/一件事, item names split at punctuation and conjunctions
    and without their closing verb (…登记, …许可), document-like material names, department
    short and full names, county names, KEY_TERMS, and every synonym term (so each segments as
    one token and OpenSearch's synonym_graph can match it).
    """
    terms = _catalogue_terms(Path(catalogue_dir))
    for term in KEY_TERMS:
        terms.setdefault(term, "n")
    for term in QUERY_STOPWORDS:  # multi-character stop words must segment whole to be dropped
        if len(term) >= 2:
            terms.setdefault(term, "x")
    if synonyms_path is not None and Path(synonyms_path).exists():
        for group in load_synonyms(synonyms_path):
            for term in group:
                if _CJK_ONLY_RE.match(term) and len(term) >= 2:  # Latin words stay whole anyway
                    terms.setdefault(term, "n")
    return _fit_frequencies(terms)


def format_dictionary(entries: Iterable[tuple[str, int, str]]) -> str:
    header = (
        "# Generated by search.text.write_dictionary from demo/catalogue and search/data/synonyms.txt;\n"
        "# do not edit by hand. jieba user dictionary: word frequency tag\n"
    )
    return header + "".join(f"{w} {f} {t}\n" for w, f, t in entries)


def write_dictionary(
    catalogue_dir: Path | str = CATALOGUE_DIR,
    path: Path | str = USERDICT_PATH,
    synonyms_path: Path | str | None = SYNONYMS_PATH,
) -> list[tuple[str, int, str]]:
    """Build the dictionary (see build_dictionary) and write it to ``path``; returns the entries."""
    entries = build_dictionary(catalogue_dir, synonyms_path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(format_dictionary(entries), encoding="utf-8")
    return entries


def read_dictionary(path: Path | str = USERDICT_PATH) -> list[tuple[str, int, str]]:
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, freq, *tag = line.split()
        entries.append((word, int(freq), tag[0] if tag else ""))
    return entries


# --- pinyin ----------------------------------------------------------------------------------


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
    variants = [main, _strip_title(main), *extra]
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


# --- analyzer --------------------------------------------------------------------------------


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


if __name__ == "__main__":  # python -m search.text: regenerate data/userdict.txt
    written = write_dictionary()
    print(f"wrote {len(written)} terms to {USERDICT_PATH}")


# --------------------------------------------------------------------------- English

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
