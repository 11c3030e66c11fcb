"""The jieba user dictionary (data/userdict.txt), derived from the reference catalogue and the synonyms."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba
import yaml

from .common import (
    _CJK_ONLY_RE,
    CATALOGUE_DIR,
    QUERY_STOPWORDS,
    STOPWORDS,
    SYNONYMS_PATH,
    USERDICT_PATH,
    load_synonyms,
    strip_title,
)

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

_log = logging.getLogger(__name__)

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
            piece = strip_title(strip_title(piece))  # 我要开超市 -> 开超市; 新生儿出生一件事 -> 新生儿出生
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
