"""The theme spec: the catalogue's dict form of a theme (SCHEMA.md), to and from `ThemePage`.

The screening engine, the importer, the exporter, the API and the editor's validation all speak this form,
so a theme means the same thing wherever it is read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .conditions import block_to_spec, describe, spec_to_block
from .constants import FIXED_ACTORS
from .extensions import spec_problems
from .i18n import localized
from .models import Department, FormField, Material, ServiceItem, ThemePage


def _plain_list(values) -> list:
    """ListBlock raw data comes in two shapes (plain values, or {type: item, value, id}); give plain values."""
    out = []
    for v in values or []:
        if isinstance(v, dict) and v.get("type") == "item" and "value" in v:
            out.append(v["value"])
        else:
            out.append(v)
    return out


def _raw(stream) -> list[dict]:
    return [dict(child) for child in stream.raw_data]


def _child(kind: str, value: dict) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


@dataclass
class Lookups:
    """Code and primary-key maps of the registries, fetched once per batch of themes."""

    items_by_pk: dict[int, ServiceItem] = field(default_factory=dict)
    materials_by_pk: dict[int, Material] = field(default_factory=dict)
    fields_by_pk: dict[int, FormField] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)

    @classmethod
    def for_pages(cls, pages) -> Lookups:
        item_pks, material_pks, field_pks = set(), set(), set()
        for page in pages:
            item_pks.update(c["value"].get("item") for c in _raw(page.items))
            material_pks.update(c["value"].get("material") for c in _raw(page.materials))
            field_pks.update(c["value"].get("field") for c in _raw(page.form_fields))
        return cls(
            items_by_pk=ServiceItem.objects.select_related("department").in_bulk(item_pks - {None}),
            materials_by_pk=Material.objects.in_bulk(material_pks - {None}),
            fields_by_pk=FormField.objects.in_bulk(field_pks - {None}),
            departments={d.code: d for d in Department.objects.all()},
        )

    @classmethod
    def everything(cls) -> Lookups:
        return cls(
            items_by_pk=ServiceItem.objects.select_related("department").in_bulk(),
            materials_by_pk=Material.objects.in_bulk(),
            fields_by_pk=FormField.objects.in_bulk(),
            departments={d.code: d for d in Department.objects.all()},
        )

    def item_registry(self) -> dict[str, dict]:
        """The engine's view of the items: what it needs to filter steps and add up days."""
        return {
            i.code: {"name": i.name, "department": i.department.code, "promised_days": i.promised_days,
                     "legal_days": i.legal_days}
            for i in self.items_by_pk.values()
        }


def _question_spec(value: dict) -> dict:
    spec = {"id": value.get("id"), "text": value.get("text")}
    if value.get("help"):
        spec["help"] = value["help"]
    spec["type"] = value.get("type") or "single"
    options = []
    for o in _plain_list(value.get("options")):
        option = {"id": o.get("id"), "label": o.get("label")}
        if o.get("exclusive"):
            option["exclusive"] = True
        options.append(option)
    spec["options"] = options
    show_if = block_to_spec(value.get("show_if"))
    if show_if is not None:
        spec["show_if"] = show_if
    return spec


def page_to_spec(page: ThemePage, lookups: Lookups, sites: list[str] | None = None) -> dict:
    """The catalogue form of a theme page. `sites` defaults to ["all"]."""
    items = []
    for child in _raw(page.items):
        item = lookups.items_by_pk.get(child["value"].get("item"))
        entry = {"item": item.code if item else None}
        when = block_to_spec(child["value"].get("when"))
        if when is not None:
            entry["when"] = when
        items.append(entry)
    materials = []
    for child in _raw(page.materials):
        v = child["value"]
        material = lookups.materials_by_pk.get(v.get("material"))
        entry = {
            "code": material.code if material else None,
            "name": v.get("name"),
            "source": v.get("source"),
            "form": v.get("form"),
            "copies": v.get("copies"),
            "for_items": _plain_list(v.get("for_items")),
        }
        when = block_to_spec(v.get("when"))
        if when is not None:
            entry["when"] = when
        if v.get("note"):
            entry["note"] = v["note"]
        materials.append(entry)
    fields, field_rules = [], []
    for child in _raw(page.form_fields):
        form_field = lookups.fields_by_pk.get(child["value"].get("field"))
        code = form_field.code if form_field else None
        fields.append(code)
        when = block_to_spec(child["value"].get("when"))
        if when is not None:
            field_rules.append({"field": code, "when": when})
    spec = {
        "code": page.code,
        "title": page.title,
        "category": page.category.name if page.category_id else None,
        "audience": list(page.audience or []),
        "summary": page.summary,
        "conditions": page.conditions,
        "sites": sites or ["all"],
        "online": page.online,
        "delivery": list(page.delivery or []),
        "visits": {"before": page.visits_before, "after": page.visits_after},
        "days": {"before": page.days_before, "after": page.days_after},
        "fee": page.fee,
        "items": items,
        "questions": [_question_spec(c["value"]) for c in _raw(page.questions)],
        "materials": materials,
        "steps": [{"name": c["value"].get("name"), "actor": c["value"].get("actor"), "days": c["value"].get("days")}
                  for c in _raw(page.steps)],
        "fields": fields,
    }
    if field_rules:
        spec["field_rules"] = field_rules
    return spec


def canonical(spec: dict) -> dict:
    """The spec with field_rules in the order of `fields`: the catalogue does not give their order a meaning."""
    if not spec.get("field_rules"):
        return {k: v for k, v in spec.items() if k != "field_rules"}
    position = {code: i for i, code in enumerate(spec.get("fields", []))}
    rules = sorted(spec["field_rules"], key=lambda r: position.get(r.get("field"), len(position)))
    return {**spec, "field_rules": rules}


def apply_spec(page: ThemePage, spec: dict, registry) -> None:
    """Set a page's fields from a validated theme spec. `registry` maps codes to saved registry rows."""
    page.title = spec["title"]
    page.code = spec["code"]
    page.category = registry.categories[spec["category"]]
    page.audience = list(spec["audience"])
    page.summary = spec["summary"]
    page.conditions = spec["conditions"]
    page.online = spec["online"]
    page.delivery = list(spec["delivery"])
    page.fee = spec["fee"]
    page.visits_before, page.visits_after = spec["visits"]["before"], spec["visits"]["after"]
    page.days_before, page.days_after = spec["days"]["before"], spec["days"]["after"]
    page.items = [
        _child("item", {"item": registry.items[i["item"]].pk, "when": spec_to_block(i.get("when"))})
        for i in spec["items"]
    ]
    page.questions = [
        _child("question", {
            "id": q["id"], "text": q["text"], "help": q.get("help", ""), "type": q.get("type", "single"),
            # Block format (with ids): wagtail-localize extracts option labels only from ListBlock items that
            # have ids, and keeps their translations by id.
            "options": [_child("item", {"id": o["id"], "label": o["label"], "exclusive": bool(o.get("exclusive"))})
                        for o in q["options"]],
            "show_if": spec_to_block(q.get("show_if")),
        })
        for q in spec.get("questions", [])
    ]
    page.materials = [
        _child("material", {
            "material": registry.materials[m["code"]].pk, "name": m["name"], "source": m["source"],
            "form": m["form"], "copies": m["copies"], "for_items": list(m["for_items"]),
            "when": spec_to_block(m.get("when")), "note": m.get("note", ""),
        })
        for m in spec["materials"]
    ]
    page.steps = [_child("step", {"name": s["name"], "actor": s["actor"], "days": s["days"]}) for s in spec["steps"]]
    rules = {r["field"]: r.get("when") for r in spec.get("field_rules", [])}
    page.form_fields = [
        _child("field", {"field": registry.fields[code].pk, "when": spec_to_block(rules.get(code))})
        for code in spec["fields"]
    ]


def _editor_problems(page: ThemePage) -> list[str]:
    """Shapes the editor can produce but the catalogue form cannot hold."""
    problems = []

    def walk(value, where):
        for term in (value or {}).get("terms") or []:
            if term["type"] == "group":
                walk(term["value"], where)
                continue
            clause = term["value"]
            options = [o for o in _plain_list(clause.get("options")) if o]
            if clause.get("operator") == "has" and len(options) != 1:
                problems.append(f"{where}：“包含”只能填写一个选项（问题 {clause.get('question')}）。")

    for c in _raw(page.questions):
        walk(c["value"].get("show_if"), f"情形问题 {c['value'].get('id')} 的显示条件")
    for c in _raw(page.items):
        walk(c["value"].get("when"), "事项的适用条件")
    for c in _raw(page.materials):
        walk(c["value"].get("when"), f"材料 {c['value'].get('name')} 的适用条件")
    for c in _raw(page.form_fields):
        walk(c["value"].get("when"), "表单字段的适用条件")
    return problems


def theme_problems(page: ThemePage) -> list[str]:
    """Errors that block saving a theme, in words an editor understands."""
    problems = _editor_problems(page)
    if problems:
        return problems
    lookups = Lookups.for_pages([page])
    spec = page_to_spec(page, lookups)
    departments = set(lookups.departments)
    for step in spec["steps"]:
        if step["actor"] not in FIXED_ACTORS and step["actor"] not in departments:
            problems.append(f"流程环节“{step['name']}”的办理人“{step['actor']}”既不是固定角色也不是部门编码。")
    problems.extend(p.message for p in spec_problems(spec, lookups.item_registry()) if p.level == "error")
    return problems


@dataclass
class ItemView:
    item: ServiceItem
    when: str


@dataclass
class MaterialView:
    material: Material
    value: dict
    items: list[ServiceItem]
    when: str


@dataclass
class ThemeGuide:
    """What the guide page shows, resolved once."""

    spec: dict
    items: list[ItemView]
    departments: list[Department]
    questions: list[dict]
    materials: list[MaterialView]
    steps: list[dict]
    fields: list[FormField]
    basis: list[tuple[ServiceItem, str]]

    @classmethod
    def for_page(cls, page: ThemePage) -> ThemeGuide:
        lookups = Lookups.for_pages([page])
        spec = page_to_spec(page, lookups)
        by_code = {i.code: i for i in lookups.items_by_pk.values()}
        questions = spec["questions"]
        items = [ItemView(by_code[i["item"]], describe(i.get("when"), questions))
                 for i in spec["items"] if i["item"] in by_code]
        departments = list({iv.item.department.code: iv.item.department for iv in items}.values())
        materials_by_code = {m.code: m for m in lookups.materials_by_pk.values()}
        materials = [
            MaterialView(materials_by_code[m["code"]], m, [by_code[c] for c in m["for_items"] if c in by_code],
                         describe(m.get("when"), questions))
            for m in spec["materials"] if m["code"] in materials_by_code
        ]
        fields_by_code = {f.code: f for f in lookups.fields_by_pk.values()}
        steps = []
        for s in spec["steps"]:
            department = lookups.departments.get(s["actor"])
            # Resolved while rendering (inside the language-keyed template cache): the active language's name.
            steps.append({**s, "actor_label": localized(department, "short") if department else s["actor"]})
        return cls(
            spec=spec,
            items=items,
            departments=departments,
            questions=questions,
            materials=materials,
            steps=steps,
            fields=[fields_by_code[c] for c in spec["fields"] if c in fields_by_code],
            basis=[(iv.item, b) for iv in items for b in localized(iv.item, "basis")],
        )
