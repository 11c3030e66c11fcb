"""Tests of search.text (pure Python): segmentation, synonyms, pinyin, query limits, data files,
and the relevance set (with a small reference ranker showing the set is achievable)."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from search import text as search_text
from search.text import (
    CATALOGUE_DIR,
    KEY_TERMS,
    MAX_QUERY_GROUPS,
    MAX_QUERY_LENGTH,
    QUERY_STOPWORDS,
    STOPWORDS,
    SYNONYMS_PATH,
    USERDICT_PATH,
    Analyzer,
    build_dictionary,
    format_dictionary,
    get_analyzer,
    is_pinyin_query,
    load_synonyms,
    normalize_query,
    pinyin_keys,
    pinyin_query,
    read_dictionary,
)

RELEVANCE_PATH = Path(search_text.__file__).resolve().parents[1] / "relevance.yaml"
KINDS = {"colloquial", "typo", "pinyin", "initials", "department", "material", "item"}
TOKEN_RE = re.compile(r"^[^\W_]+$")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return get_analyzer()


def _themes() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((CATALOGUE_DIR / "themes").glob("*.yaml"))]


# --- segmentation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("办理营业执照需要什么材料", "营业执照"),
        ("食品经营许可证怎么办", "食品经营许可证"),
        ("卷烟零售许可证到期了", "卷烟零售许可证"),
        ("烟草专卖零售许可证注销", "烟草专卖零售许可证"),
        ("不动产权证书丢了", "不动产权证书"),
        ("统一社会信用代码查询", "统一社会信用代码"),
        ("个体工商户怎么注销", "个体工商户"),
        ("孩子上户口", "上户口"),
        ("新生儿出生医学证明", "出生医学证明"),
        ("去烟草局办证", "烟草局"),
        ("平利绞股蓝", "绞股蓝"),
    ],
)
def test_domain_terms_stay_one_word(analyzer, sentence, term):
    assert term in analyzer.words(sentence)
    assert term in analyzer.tokens(sentence, query=True)


def test_search_mode_adds_dictionary_subwords(analyzer):
    tokens = analyzer.tokens("统一社会信用代码")
    # jieba's cut_for_search would give only 2- and 3-character parts; 信用代码 has 4
    assert {"统一", "社会", "信用", "代码", "信用代码", "统一社会信用代码"} <= set(tokens)
    assert tokens[-1] == "统一社会信用代码"  # the whole word after its parts, as cut_for_search does
    assert {"超市", "开超市"} <= set(analyzer.tokens("我要开超市"))


def test_stop_words_dropped(analyzer):
    assert analyzer.tokens("我要开超市", query=True) == ["超市", "开超市"]
    query = analyzer.tokens("办理营业执照需要什么材料", query=True)
    assert not {"办理", "需要", "什么", "材料"} & set(query)
    assert "营业执照" in query
    assert "想开" not in analyzer.tokens("我想开个超市", query=True)  # split glue word
    # the title boilerplate goes from indexed text too; question words stay there (harmless)
    assert "新生儿出生" in analyzer.index_text("新生儿出生一件事").split()
    assert "一件事" not in analyzer.index_text("新生儿出生一件事").split()
    assert "需要" in analyzer.tokens("需要营业执照")


def test_stop_words_are_words(analyzer):
    # a stop word that jieba splits would never be dropped
    for word in sorted(QUERY_STOPWORDS):
        assert analyzer.words(word) == [word], word
    assert STOPWORDS <= QUERY_STOPWORDS


def test_tokens_are_lowercase_word_characters(analyzer):
    tokens = analyzer.tokens("开ＫＴＶ、卡拉OK！《营业执照》 (C++) 15%  a_b\t\n")
    assert "ktv" in tokens and "营业执照" in tokens
    assert all(TOKEN_RE.match(t) and t == t.lower() for t in tokens)
    assert analyzer.index_text("   ，。！ ") == ""


def test_index_text_is_space_joined_tokens(analyzer):
    summary = _themes()[0]["summary"]
    assert analyzer.index_text(summary) == " ".join(analyzer.tokens(summary))
    assert "营业执照" in analyzer.index_text("开办超市需要营业执照、食品经营许可证").split()


def test_analyzer_uses_its_own_tokenizer(analyzer):
    import jieba

    analyzer.tokens("超市")
    assert analyzer._tk() is not jieba.dt
    assert "卖烟" not in jieba.dt.FREQ or jieba.dt.FREQ.get("卖烟") != analyzer._tk().FREQ["卖烟"]


def test_tokenizer_is_loaded_once_across_threads():
    loads = []

    class Counting(Analyzer):
        def _load_tokenizer(self):
            loads.append(1)
            return super()._load_tokenizer()

    counting = Counting()
    barrier = threading.Barrier(8)
    results = []

    def work():
        barrier.wait()
        results.append(counting.query_tokens("孩子上户口"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert len(results) == 8 and all(r == results[0] for r in results)


# --- synonyms --------------------------------------------------------------------------------


def test_synonyms_file_parses():
    groups = load_synonyms(SYNONYMS_PATH)
    assert len(groups) >= 40
    for group in groups:
        assert len(group) >= 2
        assert len(set(group)) == len(group)
        for term in group:
            assert term == term.lower() and " " not in term and TOKEN_RE.match(term), term
            assert term not in QUERY_STOPWORDS, term


def test_every_synonym_term_is_one_token(analyzer):
    # OpenSearch's synonym_graph matches a rule against whitespace tokens: each term must be one
    split = [t for g in load_synonyms(SYNONYMS_PATH) for t in g if analyzer.words(t) != [t]]
    assert split == []


def test_load_synonyms_solr_format(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text(
        "# comment\n\n开店, 开办 ,开设  # trailing comment\nKTV,歌厅,ktv\n单独\n社保,社会保险\n", encoding="utf-8"
    )
    assert load_synonyms(path) == [["开店", "开办", "开设"], ["ktv", "歌厅"], ["社保", "社会保险"]]
    path.write_text("开店 => 开办\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_synonyms(path)


@pytest.mark.parametrize(
    ("query", "token", "alternatives"),
    [
        ("卖烟", "卖烟", {"烟草零售", "卷烟零售"}),
        ("社保", "社保", {"社会保险"}),
        ("孩子上户口", "上户口", {"落户", "户口登记"}),
        ("孩子上户口", "孩子", {"子女", "小孩"}),
        ("退休金", "退休金", {"养老金", "养老保险待遇"}),
        ("开个小饭馆", "小饭馆", {"饭店", "餐馆"}),
        ("办执照", "执照", {"营业执照"}),
        ("烟草局", "烟草局", {"烟草专卖局"}),
        ("开ktv", "ktv", {"歌舞厅"}),
    ],
)
def test_query_expansion(analyzer, query, token, alternatives):
    groups = {g[0]: g for g in analyzer.query_tokens(query)}
    assert token in groups
    assert alternatives <= set(groups[token])


def test_query_expansion_is_union_of_groups(analyzer):
    # 落户 is in two lines; like Lucene's SynonymMap, its alternatives are both lines' terms
    group = next(g for g in analyzer.query_tokens("落户") if g[0] == "落户")
    assert {"上户口", "户口迁移"} <= set(group)
    assert len(group) == len(set(group))


def test_query_text_matches_query_tokens(analyzer):
    for query in ("孩子上户口", "我想开个小卖部卖烟", "kcs", ""):
        assert analyzer.query_text(query).split() == [g[0] for g in analyzer.query_tokens(query)]


# --- pinyin ----------------------------------------------------------------------------------


def test_pinyin_keys():
    assert pinyin_keys("我要开超市")[:4] == ["woyaokaichaoshi", "wykcs", "kaichaoshi", "kcs"]
    keys = pinyin_keys("新生儿出生一件事")
    assert {"xinshengerchushengyijianshi", "xsecsyjs", "xinshengerchusheng", "xsecs"} <= set(keys)
    assert {"kailvguan", "kailuguan", "klg"} <= set(pinyin_keys("我要开旅馆"))
    assert {"grcy", "chuangyedanbaodaikuan"} <= set(pinyin_keys("个人创业一件事（创业担保贷款）"))
    assert pinyin_keys("退休")[:2] == ["tuixiu", "tx"]
    assert pinyin_keys("") == [] and pinyin_keys("（）") == []


def test_every_title_has_keys():
    for theme in _themes():
        keys = pinyin_keys(theme["title"])
        assert len(keys) >= 2 and all(re.fullmatch(r"[a-z0-9]+", k) for k in keys), theme["code"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kcs", True),
        ("kai chao shi", True),
        ("Kāi Chāo'Shì", True),
        ("lüguan", True),
        ("开超市", False),
        ("开ktv", False),
        ("", False),
        ("123", False),
        ("'  '", False),
        ("kcs1", False),
    ],
)
def test_is_pinyin_query(query, expected):
    assert is_pinyin_query(query) is expected


def test_query_pinyin(analyzer):
    assert pinyin_query("Kai Chao'shi") == "kaichaoshi"
    assert pinyin_query("lüguan") == "lvguan"
    assert pinyin_query("开超市") == ""
    assert analyzer.query_pinyin("kcs") == "kcs"
    # homophone and near-homophone typos land on a title key
    assert analyzer.query_pinyin("开超事") in pinyin_keys("我要开超市")
    assert analyzer.query_pinyin("我想开个超事") in pinyin_keys("我要开超市")
    assert analyzer.query_pinyin("开名宿") in pinyin_keys("我要开民宿")
    assert analyzer.query_pinyin("新生儿出声") in pinyin_keys("新生儿出生一件事")
    assert analyzer.query_pinyin("？！") == "" and analyzer.query_pinyin("") == ""


# --- query limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＫＣＳ　开超市", "KCS 开超市"),
        ("  开\t\n超市  ", "开 超市"),
        ("开\x00超\x1b市\u200b", "开超市"),
        ("\ud800开超市\udfff", "开超市"),
        ("'; DROP TABLE theme; --", "'; DROP TABLE theme; --"),
        ("开超市🛒", "开超市🛒"),
        (None, ""),
        (b"\xe5\xbc\x80\xff", "开\ufffd"),
        (12345, "12345"),
    ],
)
def test_normalize_query_examples(raw, expected):
    assert normalize_query(raw) == expected


def test_normalize_query_truncates_long_input(analyzer):
    assert len(normalize_query("超" * 10_000)) == MAX_QUERY_LENGTH
    assert len(normalize_query("\ufdfa" * 50)) <= MAX_QUERY_LENGTH  # NFKC expands this to 18 characters
    assert len(normalize_query("a " * 10_000)) <= MAX_QUERY_LENGTH
    assert len(analyzer.query_tokens("营业执照食品经营许可证" * 1000)) <= MAX_QUERY_GROUPS


# Any code point, with surrogates, controls, format and combining characters made frequent.
ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),
        st.characters(categories=("Cs", "Cc", "Cf", "Co", "Zs", "Zl", "Zp", "Mn", "So")),
        st.sampled_from("开超市营业执照\ufdfa\u3000ｋ１"),
    ),
    max_size=300,
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(ODD_TEXT, st.text(min_size=1000, max_size=12_000)))
def test_normalize_query_never_raises(raw):
    result = normalize_query(raw)
    assert len(result) <= MAX_QUERY_LENGTH
    assert result == result.strip() and "  " not in result
    result.encode("utf-8")  # no lone surrogates left
    assert not any(ch.isspace() and ch != " " for ch in result)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        ODD_TEXT,
        st.text(alphabet=st.sampled_from("开超市营业执照的我要kcs .*?()[]{}|^$\\'\"%_-+:~"), max_size=200),
    )
)
def test_query_analysis_never_raises(raw):
    analyzer = get_analyzer()
    groups = analyzer.query_tokens(raw)
    assert len(groups) <= MAX_QUERY_GROUPS
    assert all(TOKEN_RE.match(t) for g in groups for t in g)
    analyzer.query_pinyin(raw)
    is_pinyin_query(raw)
    assert all(TOKEN_RE.match(t) for t in analyzer.tokens(raw))


# --- data files ------------------------------------------------------------------------------


def test_userdict_is_up_to_date():
    expected = format_dictionary(build_dictionary(CATALOGUE_DIR, SYNONYMS_PATH))
    assert USERDICT_PATH.read_text(encoding="utf-8") == expected, (
        "search/data/userdict.txt is stale: run `python -m search.text` to regenerate it"
    )


def test_userdict_terms_stay_whole(analyzer):
    entries = read_dictionary(USERDICT_PATH)
    assert len(entries) >= 1000
    words = {w for w, f, _ in entries if f > 1}
    assert {"营业执照", "食品经营许可证", "卷烟零售许可证", "不动产权证书", "统一社会信用代码"} <= words
    assert set(KEY_TERMS) <= words
    assert {"开超市", "新生儿出生", "烟草专卖局", "市场监管局"} <= words  # titles, departments
    assert [w for w in sorted(words) if analyzer.words(w) != [w]] == []


# --- relevance set ---------------------------------------------------------------------------


def _relevance() -> list[dict]:
    return yaml.safe_load(RELEVANCE_PATH.read_text(encoding="utf-8"))


def test_relevance_set_is_well_formed():
    entries = _relevance()
    codes = {t["code"] for t in _themes()}
    assert len(entries) >= 60
    assert len({e["query"] for e in entries}) == len(entries), "duplicate queries"
    for e in entries:
        assert set(e) == {"query", "expect", "kind"}, e
        assert isinstance(e["query"], str) and 0 < len(e["query"]) <= MAX_QUERY_LENGTH, e
        assert e["expect"] in codes, e
        assert e["kind"] in KINDS, e
    kinds = Counter(e["kind"] for e in entries)
    assert all(kinds[k] >= 5 for k in KINDS), kinds
    for e in entries:
        assert is_pinyin_query(e["query"]) is (e["kind"] in {"pinyin", "initials"}), e


# A reference ranker, only to show the relevance set is achievable with these tokens: BM25F over
# the fields an engine should index (title boosted), each query group scored by its best
# alternative, plus a boost when the query's pinyin key is (a prefix of) a title key.
FIELD_WEIGHTS = {"title": 5.0, "summary": 2.0, "items": 1.5, "departments": 1.0, "materials": 1.0, "questions": 0.5}
SYNONYM_WEIGHT = 0.9
K1, B = 1.2, 0.5


def theme_fields(catalogue_dir: Path = CATALOGUE_DIR) -> dict[str, dict[str, str]]:
    def load(name):
        return yaml.safe_load((catalogue_dir / name).read_text(encoding="utf-8"))

    items = {i["code"]: i for i in load("items.yaml")}
    departments = {d["code"]: d for d in load("departments.yaml")}
    fields = {}
    for theme in _themes():
        bundled = [items[i["item"]] for i in theme["items"]]
        depts = sorted({i["department"] for i in bundled})
        fields[theme["code"]] = {
            "title": theme["title"],
            "summary": theme["summary"],
            "items": "\n".join(i["name"] for i in bundled),
            "departments": "\n".join(f"{departments[d]['short']} {departments[d]['name']}" for d in depts),
            "materials": "\n".join(m["name"] for m in theme.get("materials", [])),
            "questions": "\n".join(
                q["text"] + " " + " ".join(o["label"] for o in q["options"]) for q in theme.get("questions", [])
            ),
        }
    return fields


class ReferenceRanker:
    def __init__(self, analyzer: Analyzer, fields: dict[str, dict[str, str]]):
        self.analyzer = analyzer
        self.tf: dict[str, Counter] = {}
        self.length: dict[str, float] = {}
        self.keys = {code: set(pinyin_keys(f["title"])) for code, f in fields.items()}
        for code, f in fields.items():
            tf: Counter = Counter()
            for name, weight in FIELD_WEIGHTS.items():
                for token in analyzer.tokens(f[name]):
                    tf[token] += weight
            self.tf[code] = tf
            self.length[code] = sum(tf.values())
        self.avg_length = sum(self.length.values()) / len(self.length)
        df = Counter(t for tf in self.tf.values() for t in tf)
        self.idf = {t: math.log(1 + (len(fields) - n + 0.5) / (n + 0.5)) for t, n in df.items()}

    def _bm25(self, token: str, code: str) -> float:
        tf = self.tf[code].get(token, 0.0)
        if not tf:
            return 0.0
        norm = K1 * (1 - B + B * self.length[code] / self.avg_length)
        return self.idf[token] * tf * (K1 + 1) / (tf + norm)

    def rank(self, query: str, n: int = 3) -> list[str]:
        groups = self.analyzer.query_tokens(query)
        key = self.analyzer.query_pinyin(query)
        pinyin = is_pinyin_query(query)
        scores = {}
        for code in self.tf:
            score = sum(
                max(self._bm25(t, code) * (1.0 if i == 0 else SYNONYM_WEIGHT) for i, t in enumerate(group))
                for group in groups
            )
            if key and (pinyin or len(key) >= 4):
                if key in self.keys[code]:
                    score += 20.0
                elif len(key) >= (2 if pinyin else 6) and any(k.startswith(key) for k in self.keys[code]):
                    score += 10.0
            if score > 0:
                scores[code] = score
        return sorted(scores, key=lambda c: (-scores[c], c))[:n]


def test_reference_ranker_finds_expected_themes(analyzer):
    ranker = ReferenceRanker(analyzer, theme_fields())
    entries = _relevance()
    hits1 = hits3 = 0
    misses = []
    for e in entries:
        top = ranker.rank(e["query"])
        hits1 += top[:1] == [e["expect"]]
        hits3 += e["expect"] in top
        if e["expect"] not in top:
            misses.append((e["query"], e["expect"], top))
    p1, p3 = hits1 / len(entries), hits3 / len(entries)
    print(f"reference ranker: P@1={p1:.3f} P@3={p3:.3f} over {len(entries)} queries; misses: {misses}")
    # a modest floor: the set must stay achievable, not a tuning target for this toy ranker
    assert p3 >= 0.85 and p1 >= 0.7, (p1, p3, misses)
