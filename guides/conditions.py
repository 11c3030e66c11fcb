"""Convert conditions between the catalogue's dict form and the raw value of `ConditionBlock`.

The catalogue form (SCHEMA.md) nests freely: {q, in}, {q, has}, {all: [...]}, {any: [...]}, {not: ...}.
The editor's block is a group (all/any, negatable) of clauses and one level of nested groups, which covers
every condition of the reference catalogue. Deeper nesting is reported as an error, never silently flattened.
No Django imports: this module is plain data conversion.
"""

from __future__ import annotations

import uuid


class ConditionTooDeep(ValueError):
    pass


class BadCondition(ValueError):
    pass


def _clause(cond: dict, negate: bool = False) -> dict:
    if "in" in cond:
        options = list(cond["in"]) if isinstance(cond["in"], list) else [cond["in"]]
        return {"question": cond["q"], "operator": "in", "options": options, "negate": negate}
    return {"question": cond["q"], "operator": "has", "options": [cond["has"]], "negate": negate}


def _kind(cond) -> str:
    if not isinstance(cond, dict) or not cond:
        raise BadCondition(f"条件必须是映射，而不是 {cond!r}")
    for key in ("all", "any", "not"):
        if key in cond:
            return key
    if "q" in cond and ("in" in cond or "has" in cond):
        return "clause"
    raise BadCondition(f"条件需要 q 与 in/has，或 all/any/not：{cond!r}")


def _block(kind: str, value: dict) -> dict:
    # Stream children carry ids so that revisions and comments keep track of them.
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _group_terms(conds: list, depth: int) -> list[dict]:
    terms = []
    for c in conds:
        kind = _kind(c)
        if kind == "clause":
            terms.append(_block("clause", _clause(c)))
        elif kind == "not" and _kind(c["not"]) == "clause":
            terms.append(_block("clause", _clause(c["not"], negate=True)))
        elif depth == 0:
            terms.append(_block("group", _group(c, depth + 1)))
        else:
            raise ConditionTooDeep(f"条件嵌套过深，编辑器最多支持两层条件组：{c!r}")
    return terms


def _group(cond: dict, depth: int) -> dict:
    kind = _kind(cond)
    negate = False
    if kind == "not":
        negate, cond, kind = True, cond["not"], _kind(cond["not"])
        if kind == "not":
            # not(not(x)) is x: keep the editor's structure flat.
            return _group(cond["not"], depth)
    if kind == "clause":
        return {"match": "all", "negate": negate, "terms": _group_terms([cond], depth)}
    if not isinstance(cond[kind], list) or not cond[kind]:
        raise BadCondition(f"{kind} 需要至少一个条件：{cond!r}")
    return {"match": kind, "negate": negate, "terms": _group_terms(cond[kind], depth)}


def spec_to_block(cond: dict | None) -> dict:
    """The raw `ConditionBlock` value for a catalogue condition (None means always)."""
    if cond is None:
        return {"match": "all", "negate": False, "terms": []}
    return _group(cond, 0)


def _clause_spec(value: dict) -> dict:
    # A ListBlock saved by the admin form stores {type: item, value, id} children; the importer stores plain values.
    options = [o.get("value") if isinstance(o, dict) and o.get("type") == "item" else o
               for o in value.get("options") or []]
    options = [o for o in options if o]
    if value.get("operator") == "has":
        spec = {"q": value.get("question"), "has": options[0] if len(options) == 1 else options}
    else:
        spec = {"q": value.get("question"), "in": options}
    return {"not": spec} if value.get("negate") else spec


def _group_spec(value: dict, collapse: bool) -> dict | None:
    terms = []
    for term in value.get("terms") or []:
        if term["type"] == "clause":
            terms.append(_clause_spec(term["value"]))
        else:
            terms.append(_group_spec(term["value"], collapse=False))
    if not terms:
        return None
    match = value.get("match") or "all"
    if collapse and len(terms) == 1 and match == "all":
        inner = terms[0]
    else:
        inner = {match: terms}
    return {"not": inner} if value.get("negate") else inner


def block_to_spec(value: dict | None) -> dict | None:
    """The catalogue condition for a raw `ConditionBlock` value; None when it has no terms."""
    if not value:
        return None
    return _group_spec(value, collapse=True)


def describe(cond: dict | None, questions: list[dict]) -> str:
    """A condition in plain words for visitors and editors, e.g. 当“是否经营食品？”选择“是”时."""
    if cond is None:
        return ""
    by_id = {q["id"]: q for q in questions}

    def label(qid, oid):
        for o in by_id.get(qid, {}).get("options", []):
            if o["id"] == oid:
                return o["label"]
        return oid

    # Interface words, in the active language (the question and option texts are the page's own language).
    from django.utils.translation import gettext as _

    def words(c) -> str:
        if "all" in c:
            return _("并且").join(words(x) for x in c["all"])
        if "any" in c:
            return _("或者").join(words(x) for x in c["any"])
        if "not" in c:
            return _("并非（%(words)s）") % {"words": words(c["not"])}
        text = by_id.get(c["q"], {}).get("text", c["q"])
        if "in" in c:
            return _("“%(question)s”选择“%(options)s”") % {
                "question": text, "options": _("”或“").join(label(c["q"], o) for o in c["in"])}
        return _("“%(question)s”包含“%(option)s”") % {"question": text, "option": label(c["q"], c["has"])}

    return _("当%(words)s时") % {"words": words(cond)}
