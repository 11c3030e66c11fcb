"""Read and check a catalogue directory in the SCHEMA.md format, with no Django involved.

Everything is read and checked before anything is written, so a bad catalogue is rejected whole and each
problem names its file and entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .extensions import spec_problems

ITEM_KINDS = {"行政许可", "行政确认", "行政给付", "公共服务", "其他行政权力"}
FIELD_TYPES = {"text", "textarea", "id_number", "uscc", "phone", "date", "number", "choice", "address", "email"}
CATEGORIES = ("市场准入", "生产经营", "工程建设", "社会事务", "个人生活", "企业退出")
AUDIENCES = {"自然人", "法人"}
ONLINE = {"全程网办", "网上预审", "窗口办理"}
DELIVERY = {"邮寄", "网上", "自取"}
SOURCES = {"申请人自备", "政府部门核发", "电子证照免提交", "中介机构出具"}
FORMS = {"原件", "复印件", "原件及复印件", "电子件"}
FIXED_ACTORS = {"申请人", "综合窗口", "快递", "并联"}
CODE = re.compile(r"^[A-Z][A-Z0-9]*$")
FIELD_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SITE_CODE = re.compile(r"^[a-z][a-z0-9-]*$")
REGION_CODE = re.compile(r"^[0-9]{6}\Z")  # GB/T 2260 行政区划代码: the first 6 digits of the site's tracking numbers
THEME_KEYS = ("code", "title", "category", "audience", "summary", "conditions", "sites", "online", "delivery",
              "visits", "days", "fee", "items", "materials", "steps", "fields")


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str
    message: str

    def __str__(self):
        return f"{self.file}{f' [{self.entry}]' if self.entry else ''}: {self.message}"


class CatalogueError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalogue")


@dataclass
class Catalogue:
    departments: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)
    sites: list[dict] = field(default_factory=list)
    locations: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)

    def item_registry(self) -> dict[str, dict]:
        return {i["code"]: i for i in self.items}


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, file, entry, message):
        self.problems.append(Problem(str(file), str(entry or ""), message))

    def load(self, path: Path, expect=list, required=True):
        name = str(path.relative_to(self.root))
        if not path.exists():
            if required:
                self.problem(name, "", "文件不存在")
            return expect()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
            self.problem(name, where, f"YAML 语法错误：{exc.problem or exc}")
            return expect()
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problem(name, "", f"无法读取：{exc}")
            return expect()
        if data is None:
            return expect()
        if not isinstance(data, expect):
            self.problem(name, "", f"顶层应为{'列表' if expect is list else '映射'}")
            return expect()
        return data

    def load_many(self, pattern: str) -> list[tuple[str, dict]]:
        rows = []
        for path in sorted(self.root.glob(pattern)):
            for row in self.load(path):
                rows.append((path.name, row))
        return rows

    def rows(self, file, rows, key, pattern=None) -> dict[str, dict]:
        """Rows keyed by `key`, reporting non-mappings, missing or malformed keys and duplicates."""
        seen: dict[str, dict] = {}
        for i, row in enumerate(rows, 1):
            fname, row = row if isinstance(row, tuple) else (file, row)
            if not isinstance(row, dict):
                self.problem(fname, f"第 {i} 条", "应为映射")
                continue
            code = row.get(key)
            if not isinstance(code, str) or (pattern and not pattern.match(code)):
                self.problem(fname, f"第 {i} 条", f"{key} 缺失或格式不对：{code!r}")
                continue
            if code in seen:
                self.problem(fname, code, f"重复的 {key}")
                continue
            seen[code] = row
        return seen


def _check_int(reader, file, entry, value, name, minimum=0):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        reader.problem(file, entry, f"{name} 应为不小于 {minimum} 的整数")
        return False
    return True


def _check_theme(reader: _Reader, file: str, t, ctx: dict) -> None:
    if not isinstance(t, dict):
        reader.problem(file, "", "主题文件应为映射")
        return
    missing = [k for k in THEME_KEYS if k not in t]
    if missing:
        reader.problem(file, t.get("code", ""), f"缺少字段：{', '.join(missing)}")
        return
    code = t["code"]
    if code != Path(file).stem:
        reader.problem(file, code, "code 与文件名不一致")
    if t["category"] not in CATEGORIES:
        reader.problem(file, code, f"未知的主题类别 {t['category']!r}")
    if not isinstance(t["audience"], list) or not t["audience"] or not set(t["audience"]) <= AUDIENCES:
        reader.problem(file, code, f"audience 应为 {sorted(AUDIENCES)} 的非空子集")
    sites = t["sites"]
    if not isinstance(sites, list) or not sites:
        reader.problem(file, code, "sites 应为 [all] 或站点编码列表")
    elif sites != ["all"]:
        for s in sites:
            if s not in ctx["sites"]:
                reader.problem(file, code, f"未知的站点 {s!r}")
    if t["online"] not in ONLINE:
        reader.problem(file, code, f"未知的网办程度 {t['online']!r}")
    if not isinstance(t["delivery"], list) or not t["delivery"] or not set(t["delivery"]) <= DELIVERY:
        reader.problem(file, code, f"delivery 应为 {sorted(DELIVERY)} 的非空子集")
    for key in ("visits", "days"):
        v = t[key]
        if not (isinstance(v, dict) and _check_int(reader, file, code, v.get("before"), f"{key}.before")
                and _check_int(reader, file, code, v.get("after"), f"{key}.after")):
            continue
        if v["after"] > v["before"]:
            reader.problem(file, code, f"{key}.after 不能大于 {key}.before")
    for key in ("title", "summary", "conditions", "fee"):
        if not isinstance(t[key], str) or not t[key].strip():
            reader.problem(file, code, f"{key} 不能为空")
    if not isinstance(t["items"], list) or not t["items"]:
        reader.problem(file, code, "至少需要一个事项")
        return
    for entry in t["items"]:
        if not isinstance(entry, dict) or entry.get("item") not in ctx["items"]:
            reader.problem(file, f"item {entry.get('item') if isinstance(entry, dict) else entry}", "未知的事项")
    for q in t.get("questions") or []:
        if not isinstance(q, dict) or not isinstance(q.get("options"), list):
            reader.problem(file, f"question {q.get('id') if isinstance(q, dict) else q}", "问题需要 id、text 与 options")
    for m in t["materials"] if isinstance(t["materials"], list) else []:
        where = f"material {m.get('code') if isinstance(m, dict) else m}"
        if not isinstance(m, dict):
            reader.problem(file, where, "应为映射")
            continue
        for key in ("code", "name", "source", "form", "copies", "for_items"):
            if key not in m:
                reader.problem(file, where, f"缺少 {key}")
        if m.get("code") not in ctx["materials"]:
            reader.problem(file, where, "材料编码不在 materials.yaml 中")
        if m.get("source") not in SOURCES:
            reader.problem(file, where, f"未知的来源 {m.get('source')!r}")
        if m.get("form") not in FORMS:
            reader.problem(file, where, f"未知的形式 {m.get('form')!r}")
        if "copies" in m:
            _check_int(reader, file, where, m["copies"], "copies", minimum=1)
    departments_here = {ctx["items"][i["item"]]["department"] for i in t["items"]
                        if isinstance(i, dict) and i.get("item") in ctx["items"]}
    for s in t["steps"] if isinstance(t["steps"], list) else []:
        where = f"step {s.get('name') if isinstance(s, dict) else s}"
        if not isinstance(s, dict) or not isinstance(s.get("name"), str):
            reader.problem(file, where, "环节需要 name、actor、days")
            continue
        actor = s.get("actor")
        if actor not in FIXED_ACTORS and actor not in ctx["departments"]:
            reader.problem(file, where, f"未知的办理人 {actor!r}")
        elif actor in ctx["departments"] and actor not in departments_here:
            reader.problem(file, where, f"部门 {actor} 在本主题中没有事项")
        _check_int(reader, file, where, s.get("days"), "days")
    for f in t["fields"] if isinstance(t["fields"], list) else []:
        if f not in ctx["fields"]:
            reader.problem(file, f"field {f}", "未知的表单字段")
    if any(p.file == file for p in reader.problems):
        return
    # Conditions, references between questions, options, items, materials and fields: the screening engine's lint
    # (registered as a spec check) is the one authority, shared with the editor's validation.
    for p in spec_problems(t, ctx["items"]):
        if p.level == "error":
            reader.problem(file, f"{p.kind} {p.location}" if p.location else code, p.message)


def read_catalogue(root: Path | str) -> Catalogue:
    """Read and check a whole catalogue; raise CatalogueError listing every problem, or return it."""
    root = Path(root)
    reader = _Reader(root)
    if not root.is_dir():
        raise CatalogueError([Problem(str(root), "", "目录不存在")])
    departments = reader.rows("departments.yaml", reader.load(root / "departments.yaml"), "code", CODE)
    items = reader.rows("items.yaml", reader.load_many("items*.yaml"), "code")
    for code, i in items.items():
        if i.get("department") not in departments:
            reader.problem("items.yaml", code, f"未知的部门 {i.get('department')!r}")
        if i.get("kind") not in ITEM_KINDS:
            reader.problem("items.yaml", code, f"未知的事项类型 {i.get('kind')!r}")
        if (_check_int(reader, "items.yaml", code, i.get("legal_days"), "legal_days")
                and _check_int(reader, "items.yaml", code, i.get("promised_days"), "promised_days")
                and i["promised_days"] > i["legal_days"]):
            reader.problem("items.yaml", code, "promised_days 不能大于 legal_days")
        if not i.get("name") or not isinstance(i.get("basis"), list) or not i["basis"]:
            reader.problem("items.yaml", code, "需要 name 与至少一条 basis")
    materials = reader.rows("materials.yaml", reader.load(root / "materials.yaml"), "code")
    fields = reader.rows("fields.yaml", reader.load_many("fields*.yaml"), "code", FIELD_CODE)
    for code, f in fields.items():
        if f.get("type") not in FIELD_TYPES:
            reader.problem("fields.yaml", code, f"未知的字段类型 {f.get('type')!r}")
        elif f["type"] == "choice" and not f.get("choices"):
            reader.problem("fields.yaml", code, "选择类型需要 choices")
    raw_sites = reader.load(root / "sites.yaml")
    sites = reader.rows("sites.yaml", raw_sites, "code", SITE_CODE)
    if sites and list(sites.values())[0].get("level") != "city":
        reader.problem("sites.yaml", "", "第一个站点必须是市级站点（level: city）")
    for code, s in list(sites.items())[1:]:
        if s.get("level") != "county":
            reader.problem("sites.yaml", code, "市级站点之后只能是县级站点（level: county）")
    for code, s in sites.items():
        if "region" in s:
            # YAML reads an unquoted 610902 as a number: the code is its six digits either way.
            s["region"] = str(s["region"]) if isinstance(s["region"], int | str) else ""
            if not REGION_CODE.match(s["region"]):
                reader.problem("sites.yaml", code, "region 应为6位数字的行政区划代码（GB/T 2260），如 610902")
    locations = reader.load(root / "locations.yaml", required=False)
    for i, loc in enumerate(locations, 1):
        if not isinstance(loc, dict) or loc.get("site") not in sites:
            reader.problem("locations.yaml", f"第 {i} 条", "需要已知的 site")
        elif not all(isinstance(loc.get(k), str) and loc[k] for k in ("name", "address", "hours", "phone")):
            reader.problem("locations.yaml", f"第 {i} 条", "需要 name、address、hours、phone")

    ctx = {"departments": departments, "items": items, "materials": materials, "fields": fields, "sites": sites}
    themes, seen = [], {}
    for path in sorted((root / "themes").glob("*.yaml")):
        t = reader.load(path, expect=dict)
        name = f"themes/{path.name}"
        if not t:
            continue
        if isinstance(t, dict) and t.get("code") in seen:
            reader.problem(name, t.get("code"), f"主题编码与 {seen[t['code']]} 重复")
            continue
        before = len(reader.problems)
        _check_theme(reader, name, t, ctx)
        if len(reader.problems) == before:
            seen[t["code"]] = name
            themes.append(t)
    if not themes and not reader.problems:
        reader.problem("themes/", "", "没有任何主题")
    if reader.problems:
        raise CatalogueError(reader.problems)
    return Catalogue(
        departments=list(departments.values()), items=list(items.values()), materials=list(materials.values()),
        fields=list(fields.values()), sites=list(sites.values()), locations=locations, themes=themes,
    )


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
