"""Unit tests of the screening engine: conditions, answers, outcomes, lint, the situation tree."""

import copy
import json
import time
from pathlib import Path

import pytest
import yaml

from screening.engine import (
    MAX_CONDITION_DEPTH,
    AnswerError,
    Theme,
    ThemeSpecError,
    TooManyAnswerPaths,
    answer_paths,
    condition_refs,
    evaluate,
    evaluate_params,
    lint,
    lint_spec,
    parse_answers,
    prune,
    situation_tree,
    to_query,
)

CATALOGUE = Path(__file__).resolve().parents[2] / "demo" / "catalogue"

REGISTRY = {
    "I-REG": {"name": "主体登记", "department": "DA", "promised_days": 1, "legal_days": 15},
    "I-CO": {"name": "公司备案", "department": "DA", "promised_days": 2, "legal_days": 10},
    "I-FOOD": {"name": "食品经营许可", "department": "DB", "promised_days": 5, "legal_days": 20},
    "I-PACK": {"name": "预包装食品备案", "department": "DC", "promised_days": 0, "legal_days": 1},
    "I-STAFF": {"name": "用工备案", "department": "DD", "promised_days": 3, "legal_days": 7},
}


def base_spec() -> dict:
    """A small theme touching every engine feature; tests copy and tweak it."""
    return {
        "code": "T-1",
        "title": "测试主题",
        "visits": {"before": 4, "after": 1},
        "days": {"before": 30, "after": 5},
        "items": [
            {"item": "I-REG"},
            {"item": "I-CO", "when": {"q": "subject", "in": ["company"]}},
            {"item": "I-FOOD", "when": {"q": "food_kind", "has": "bulk"}},
            {"item": "I-PACK", "when": {"all": [{"q": "food_kind", "has": "packed"},
                                                {"not": {"q": "food_kind", "has": "bulk"}}]}},
            {"item": "I-STAFF", "when": {"q": "staff", "in": ["many"]}},
        ],
        "questions": [
            {"id": "subject", "text": "您以什么身份开办？", "type": "single",
             "options": [{"id": "person", "label": "个人"}, {"id": "company", "label": "公司"}]},
            {"id": "food", "text": "是否经营食品？", "type": "single", "help": "仅卖日用品选“否”。",
             "options": [{"id": "none", "label": "否"}, {"id": "some", "label": "是"}]},
            {"id": "food_kind", "text": "经营哪些食品？", "type": "multi", "show_if": {"q": "food", "in": ["some"]},
             "options": [{"id": "packed", "label": "预包装食品"}, {"id": "bulk", "label": "散装食品"},
                         {"id": "neither", "label": "以上都不是", "exclusive": True}]},
            {"id": "staff", "text": "雇用多少员工？", "type": "single",
             "show_if": {"any": [{"q": "subject", "in": ["company"]}, {"q": "food_kind", "has": "bulk"}]},
             "options": [{"id": "few", "label": "10人以下"}, {"id": "many", "label": "10人及以上"}]},
        ],
        "materials": [
            {"code": "M-ID", "name": "身份证", "source": "申请人自备", "form": "原件", "copies": 1,
             "for_items": ["I-CO", "I-REG"]},
            {"code": "M-BULK", "name": "食品操作流程图", "source": "申请人自备", "form": "原件", "copies": 2,
             "for_items": ["I-FOOD"], "note": "加盖公章"},
            {"code": "M-LEASE", "name": "租赁合同", "source": "申请人自备", "form": "复印件", "copies": 1,
             "for_items": ["I-REG"], "when": {"q": "subject", "in": ["company"]}},
            {"code": "M-HEALTH", "name": "健康证明", "source": "政府部门核发", "form": "复印件", "copies": 1,
             "for_items": ["I-STAFF", "I-FOOD"], "when": {"not": {"q": "staff", "in": ["many"]}}},
        ],
        "steps": [
            {"name": "网上申报", "actor": "申请人", "days": 0},
            {"name": "综合窗口受理", "actor": "综合窗口", "days": 1},
            {"name": "食品许可现场核查", "actor": "DB", "days": 3},
            {"name": "用工备案审核", "actor": "DD", "days": 2},
            {"name": "并联审批", "actor": "并联", "days": 4},
            {"name": "邮寄送达", "actor": "快递", "days": 0},
        ],
        "fields": ["applicant.name", "company.name", "food.kind"],
        "field_rules": [
            {"field": "company.name", "when": {"q": "subject", "in": ["company"]}},
            {"field": "food.kind", "when": {"q": "food_kind", "has": "packed"}},
        ],
    }


@pytest.fixture
def theme() -> Theme:
    return Theme.from_spec(base_spec(), REGISTRY)


def codes(problems):
    return sorted({p.code for p in problems})


# --------------------------------------------------------------------------- building


def test_from_spec_exposes_the_theme(theme):
    assert theme.code == "T-1" and theme.title == "测试主题"
    food_kind = theme.question("food_kind")
    assert food_kind.multi and food_kind.option_ids == ("packed", "bulk", "neither")
    assert food_kind.option("neither").exclusive and not food_kind.option("bulk").exclusive
    assert food_kind.show_if == {"q": "food", "in": ["some"]}
    assert theme.question("food").help == "仅卖日用品选“否”。"
    assert theme.item("I-FOOD").department == "DB" and theme.item("I-FOOD").promised_days == 5
    assert [m.code for m in theme.materials] == ["M-ID", "M-BULK", "M-LEASE", "M-HEALTH"]
    assert theme.materials[1].copies == 2 and theme.materials[1].note == "加盖公章"
    assert [s.department for s in theme.steps] == [None, None, "DB", "DD", None, None]
    assert theme.fields == ("applicant.name", "company.name", "food.kind")
    assert theme.days.before == 30 and theme.visits.after == 1


def test_from_spec_copies_conditions():
    spec = base_spec()
    theme = Theme.from_spec(spec, REGISTRY)
    spec["items"][1]["when"]["in"].append("person")
    assert theme.items[1].when == {"q": "subject", "in": ["company"]}


def test_from_spec_reports_every_shape_fault():
    spec = base_spec()
    spec["questions"][0]["options"][0]["id"] = True  # what YAML makes of `id: yes`
    spec["questions"][1]["type"] = "choice"
    spec["items"].append({"item": "I-MISSING"})
    spec["items"].append({"item": "I-REG"})
    spec["materials"][0]["copies"] = 0
    spec["steps"][0]["days"] = -1
    spec["field_rules"][0]["when"] = {"q": "subject", "equals": "company"}
    spec["days"] = {"before": "30"}
    with pytest.raises(ThemeSpecError) as caught:
        Theme.from_spec(spec, REGISTRY)
    problems = caught.value.problems
    assert {p.code for p in problems} == {"malformed", "unknown_item", "duplicate"}
    assert len(problems) == 8
    assert any("YAML" in p.message for p in problems)
    assert all(p.level == "error" for p in problems)


def test_from_spec_defaults():
    theme = Theme.from_spec({"code": "T-2", "items": [{"item": "I-REG"}]}, REGISTRY)
    assert theme.questions == () and theme.materials == () and theme.steps == ()
    assert theme.days.before == theme.days.after == 0
    assert list(answer_paths(theme)) == [{}]


# --------------------------------------------------------------------------- conditions

CONDITION_SPEC = {
    "code": "T-C",
    "items": [{"item": "I-REG"}],
    "questions": [
        {"id": "a", "text": "问题甲？", "type": "single",
         "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}, {"id": "z", "label": "Z"}]},
        {"id": "b", "text": "问题乙？", "type": "multi",
         "options": [{"id": "p", "label": "P"}, {"id": "q", "label": "Q"}, {"id": "r", "label": "R", "exclusive": True}]},
        {"id": "c", "text": "问题丙？", "type": "single", "show_if": {"q": "a", "in": ["z"]},
         "options": [{"id": "u", "label": "U"}, {"id": "v", "label": "V"}]},
    ],
}


@pytest.mark.parametrize(("when", "answers", "expected"), [
    ({"q": "a", "in": ["x"]}, {"a": "x", "b": frozenset({"p"})}, True),
    ({"q": "a", "in": ["x", "y"]}, {"a": "y", "b": frozenset({"p"})}, True),
    ({"q": "a", "in": ["x"]}, {"a": "y", "b": frozenset({"p"})}, False),
    ({"q": "b", "has": "q"}, {"a": "x", "b": frozenset({"p", "q"})}, True),
    ({"q": "b", "has": "q"}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"all": [{"q": "a", "in": ["x"]}, {"q": "b", "has": "p"}]}, {"a": "x", "b": frozenset({"p"})}, True),
    ({"all": [{"q": "a", "in": ["x"]}, {"q": "b", "has": "q"}]}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"any": [{"q": "a", "in": ["y"]}, {"q": "b", "has": "p"}]}, {"a": "x", "b": frozenset({"p"})}, True),
    ({"any": [{"q": "a", "in": ["y"]}, {"q": "b", "has": "q"}]}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"not": {"q": "a", "in": ["x"]}}, {"a": "y", "b": frozenset({"r"})}, True),
    ({"not": {"q": "a", "in": ["x"]}}, {"a": "x", "b": frozenset({"r"})}, False),
    ({"all": []}, {"a": "x", "b": frozenset({"r"})}, True),
    ({"any": []}, {"a": "x", "b": frozenset({"r"})}, False),
    ({"not": {"any": [{"q": "a", "in": ["z"]}, {"all": [{"q": "b", "has": "p"}, {"q": "b", "has": "q"}]}]}},
     {"a": "x", "b": frozenset({"p", "q"})}, False),
    # A hidden question has no answer: in/has on it are false, so their negation holds.
    ({"q": "c", "in": ["u", "v"]}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"not": {"q": "c", "in": ["u"]}}, {"a": "x", "b": frozenset({"p"})}, True),
    ({"q": "c", "in": ["u"]}, {"a": "z", "b": frozenset({"p"}), "c": "u"}, True),
    # Ill-typed leaves never hold (lint reports them).
    ({"q": "b", "in": ["p"]}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"q": "a", "has": "x"}, {"a": "x", "b": frozenset({"p"})}, False),
    ({"q": "ghost", "in": ["x"]}, {"a": "x", "b": frozenset({"p"})}, False),
])
def test_condition_kinds(when, answers, expected):
    spec = copy.deepcopy(CONDITION_SPEC)
    spec["items"].append({"item": "I-CO", "when": when})
    outcome = evaluate(Theme.from_spec(spec, REGISTRY), answers)
    assert outcome.complete
    assert ("I-CO" in outcome.items) is expected


def test_condition_refs():
    cond = {"all": [{"q": "a", "in": ["x"]}, {"not": {"any": [{"q": "b", "has": "p"}, {"q": "c", "in": ["u"]}]}}]}
    assert condition_refs(cond) == {"a", "b", "c"}
    assert condition_refs(None) == frozenset()


# --------------------------------------------------------------------------- wizard flow


def test_next_question_walks_the_shown_questions(theme):
    outcome = evaluate(theme, {})
    assert [q.id for q in outcome.shown] == ["subject", "food"]
    assert outcome.next_question.id == "subject" and not outcome.complete
    assert outcome.items == () and outcome.applies

    outcome = evaluate(theme, {"subject": "person"})
    assert outcome.next_question.id == "food"
    outcome = evaluate(theme, {"subject": "person", "food": "some"})
    assert [q.id for q in outcome.shown] == ["subject", "food", "food_kind"]
    assert outcome.next_question.id == "food_kind"
    outcome = evaluate(theme, {"subject": "person", "food": "some", "food_kind": frozenset({"bulk"})})
    assert outcome.next_question.id == "staff"
    outcome = evaluate(theme, {"subject": "person", "food": "some", "food_kind": frozenset({"bulk"}), "staff": "few"})
    assert outcome.complete and outcome.next_question is None and outcome.errors == ()


def test_complete_outcome_lists_the_checklist(theme):
    outcome = evaluate(theme, {"subject": "company", "food": "some", "food_kind": frozenset({"bulk", "packed"}),
                               "staff": "few"})
    assert outcome.items == ("I-REG", "I-CO", "I-FOOD")
    assert outcome.departments == ("DA", "DB")
    # Each material once, with the applying items it serves in theme order.
    assert [(m.code, served) for m, served in outcome.materials] == [
        ("M-ID", ("I-REG", "I-CO")), ("M-BULK", ("I-FOOD",)), ("M-LEASE", ("I-REG",)), ("M-HEALTH", ("I-FOOD",))]
    assert outcome.materials[0].items == ("I-REG", "I-CO")
    assert outcome.fields == ("applicant.name", "company.name", "food.kind")
    assert [s.name for s in outcome.steps] == ["网上申报", "综合窗口受理", "食品许可现场核查", "并联审批", "邮寄送达"]
    assert dict(outcome.days) == {"before": 30, "after": 5, "steps": 8, "items_promised_max": 5, "items_legal_sum": 45}
    assert dict(outcome.visits) == {"before": 4, "after": 1}


def test_step_of_a_department_is_listed_only_with_its_items(theme):
    outcome = evaluate(theme, {"subject": "company", "food": "none", "staff": "many"})
    assert outcome.items == ("I-REG", "I-CO", "I-STAFF")
    assert [s.actor for s in outcome.steps] == ["申请人", "综合窗口", "DD", "并联", "快递"]
    outcome = evaluate(theme, {"subject": "person", "food": "none"})
    assert [s.actor for s in outcome.steps] == ["申请人", "综合窗口", "并联", "快递"]
    assert [m.code for m, _ in outcome.materials] == ["M-ID"]
    assert outcome.fields == ("applicant.name",)


def test_material_when_and_for_items_both_count(theme):
    few = evaluate(theme, {"subject": "company", "food": "none", "staff": "few"})
    many = evaluate(theme, {"subject": "company", "food": "none", "staff": "many"})
    assert "M-HEALTH" not in [m.code for m, _ in few.materials]  # its items do not apply
    assert "M-HEALTH" not in [m.code for m, _ in many.materials]  # its when does not hold


def test_no_item_means_the_theme_does_not_apply():
    spec = base_spec()
    spec["items"] = [{"item": "I-CO", "when": {"q": "subject", "in": ["company"]}}]
    spec["materials"] = [m for m in spec["materials"] if m["code"] == "M-ID"]
    spec["materials"][0]["for_items"] = ["I-CO"]
    theme = Theme.from_spec(spec, REGISTRY)
    outcome = evaluate(theme, {"subject": "person", "food": "none"})
    assert outcome.complete and not outcome.applies
    assert outcome.items == () and outcome.materials == () and outcome.fields == () and outcome.departments == ()
    assert outcome.days["items_promised_max"] == 0 and outcome.days["items_legal_sum"] == 0
    assert outcome.as_dict()["applies"] is False
    assert evaluate(theme, {"subject": "company", "food": "none", "staff": "few"}).applies


def test_prune_keeps_later_valid_answers(theme):
    answers = {"subject": "company", "food": "some", "food_kind": frozenset({"packed"}), "staff": "many"}
    assert prune(theme, answers) == answers
    # Changing food hides food_kind; staff stays shown through subject, so its answer is kept.
    changed = {**answers, "food": "none"}
    assert prune(theme, changed) == {"subject": "company", "food": "none", "staff": "many"}
    # Changing subject hides staff too (no bulk food either), and drops stale keys and bad values.
    changed = {**answers, "subject": "person", "food": "none", "lang": "en", "food_kind": frozenset({"zzz"})}
    assert prune(theme, changed) == {"subject": "person", "food": "none"}
    # A multi answer given as a plain string or list is normalised.
    assert prune(theme, {"subject": "person", "food": "some", "food_kind": ["bulk"]})["food_kind"] == {"bulk"}
    assert list(prune(theme, {"staff": "few", "subject": "company"})) == ["subject", "staff"]


def test_exclusive_option_stands_alone(theme):
    base = {"subject": "person", "food": "some"}
    alone = evaluate(theme, {**base, "food_kind": frozenset({"neither"})})
    assert alone.complete and alone.items == ("I-REG",)
    combined = evaluate(theme, {**base, "food_kind": frozenset({"neither", "bulk"})})
    assert [e.code for e in combined.errors] == ["exclusive_combined"]
    assert combined.errors[0].value == "neither" and "以上都不是" in combined.errors[0].message
    assert not combined.complete and combined.items == () and combined.steps == ()
    kinds = {p["food_kind"] for p in answer_paths(theme) if "food_kind" in p}
    assert kinds == {frozenset({"packed"}), frozenset({"bulk"}), frozenset({"neither"}), frozenset({"packed", "bulk"})}


# --------------------------------------------------------------------------- answer errors


def test_hidden_question_answer_is_an_error(theme):
    outcome = evaluate(theme, {"subject": "person", "food": "none", "staff": "few"})
    assert [(e.question, e.code, e.value) for e in outcome.errors] == [("staff", "hidden_question", "few")]
    assert "雇用多少员工？" in outcome.errors[0].message
    assert not outcome.complete and outcome.items == () and outcome.materials == ()
    assert outcome.answers == {"subject": "person", "food": "none"}


def test_only_the_root_cause_is_reported(theme):
    # food_kind is hidden only because food is invalid: no separate hidden_question error for it.
    outcome = evaluate(theme, {"subject": "person", "food": "maybe", "food_kind": frozenset({"bulk"})})
    assert [(e.question, e.code) for e in outcome.errors] == [("food", "unknown_option")]
    assert outcome.next_question.id == "food"


@pytest.mark.parametrize(("params", "question", "code", "value", "words"), [
    ({"food": ["maybe"]}, "food", "unknown_option", "maybe", "“是否经营食品？”没有“maybe”这个选项，请重新选择。"),
    ({"food": ["none", "some"]}, "food", "multiple_values_for_single", "none,some", "只能选择一项"),
    ({"food": [""]}, "food", "empty", "", "请回答“是否经营食品？”"),
    ({"food": ["some"], "food_kind": [""]}, "food_kind", "empty", "", "至少要选择一项"),
    ({"food": ["some"], "food_kind": ["bulk", "neither"]}, "food_kind", "exclusive_combined", "neither", "只能单独选择"),
    ({"food": ["some"], "food_kind": ["bulk", "caviar"]}, "food_kind", "unknown_option", "caviar", "caviar"),
    ({"food": ["none"], "food_kind": ["bulk"]}, "food_kind", "hidden_question", "bulk", "根据您前面的回答，不需要回答“经营哪些食品？”"),
    ({"food": ["x" * 40]}, "food", "unknown_option", "x" * 40, "x" * 20 + "…"),
])
def test_parse_errors(theme, params, question, code, value, words):
    answers, errors = parse_answers(theme, {"subject": ["person"], **params})
    assert [(e.question, e.code, e.value) for e in errors] == [(question, code, value)]
    assert words in errors[0].message
    assert question not in answers and answers["subject"] == "person"
    outcome = evaluate_params(theme, {"subject": ["person"], **params})
    assert outcome.errors == tuple(errors) and not outcome.complete and outcome.items == ()


def test_parse_ignores_other_parameters_and_repeats(theme):
    params = {"subject": ["company"], "food": ["some", "some"], "food_kind": ["bulk", "packed", "bulk"],
              "staff": ["few"], "lang": ["en"], "page": ["2"]}
    answers, errors = parse_answers(theme, params)
    assert errors == []
    assert answers == {"subject": "company", "food": "some", "food_kind": frozenset({"bulk", "packed"}), "staff": "few"}
    assert evaluate_params(theme, params).complete


def test_parse_accepts_a_querydict_like_object(theme):
    class QueryDict(dict):
        def get(self, key, default=None):  # Django returns the last value here
            return super().get(key, [default])[-1]

        def getlist(self, key):
            return super().get(key, [])

    answers, errors = parse_answers(theme, QueryDict(subject=["person"], food=["some"], food_kind=["bulk", "packed"]))
    assert errors == [] and answers["food_kind"] == {"bulk", "packed"}
    assert parse_answers(theme, {"subject": "person"})[0] == {"subject": "person"}


def test_errors_are_in_question_order_and_unknown_keys_last(theme):
    outcome = evaluate(theme, {"zeta": "1", "subject": "boss", "alpha": "2", "food": ["none", "some"]})
    assert [(e.question, e.code) for e in outcome.errors] == [
        ("subject", "unknown_option"), ("food", "multiple_values_for_single"),
        ("alpha", "unknown_question"), ("zeta", "unknown_question")]
    assert all(isinstance(e, AnswerError) and e.message for e in outcome.errors)


def test_to_query_round_trip(theme):
    answers = {"staff": "few", "food_kind": frozenset({"bulk", "packed"}), "food": "some", "subject": "company"}
    query = to_query(theme, answers)
    assert query == [("subject", "company"), ("food", "some"), ("food_kind", "packed"), ("food_kind", "bulk"),
                     ("staff", "few")]
    params: dict[str, list[str]] = {}
    for key, value in query:
        params.setdefault(key, []).append(value)
    assert parse_answers(theme, params) == (answers, [])
    assert to_query(theme, {"lang": "en", "subject": "person"}) == [("subject", "person")]


def test_as_dict_is_the_json_shape(theme):
    outcome = evaluate(theme, {"subject": "company", "food": "some", "food_kind": frozenset({"bulk"}), "staff": "few"})
    data = json.loads(json.dumps(outcome.as_dict(), ensure_ascii=False))
    assert list(data) == ["theme", "complete", "next_question", "applies", "items", "departments", "materials",
                          "fields", "steps", "days", "visits", "errors"]
    assert data["theme"] == "T-1" and data["complete"] is True and data["next_question"] is None
    assert data["materials"][1] == {"code": "M-BULK", "name": "食品操作流程图", "source": "申请人自备", "form": "原件",
                                    "copies": 2, "note": "加盖公章", "items": ["I-FOOD"]}
    assert data["steps"][2] == {"name": "食品许可现场核查", "actor": "DB", "days": 3}
    assert data["errors"] == []
    bad = evaluate(theme, {"subject": "boss"}).as_dict()
    assert bad["next_question"] == "subject" and bad["complete"] is False
    assert bad["errors"][0]["code"] == "unknown_option" and set(bad["errors"][0]) == {"question", "value", "code", "message"}


# --------------------------------------------------------------------------- answer paths


def test_answer_paths_in_order(theme):
    paths = list(answer_paths(theme))
    # person: food none (1) or 4 food kinds, staff asked only with bulk (2 + 2×2); company: staff always (2 + 4×2).
    assert len(paths) == 7 + 10
    assert paths[0] == {"subject": "person", "food": "none"}
    assert all(list(p) == [q for q in ("subject", "food", "food_kind", "staff") if q in p] for p in paths)
    assert all(evaluate(theme, p).complete for p in paths)


def test_answer_paths_cap():
    spec = copy.deepcopy(CONDITION_SPEC)
    theme = Theme.from_spec(spec, REGISTRY)
    assert len(list(answer_paths(theme))) == 2 * 4 + 4 * 2  # c is asked only after a=z
    with pytest.raises(TooManyAnswerPaths, match="more than 10 answer paths"):
        list(answer_paths(theme, limit=10))


# --------------------------------------------------------------------------- lint


def test_lint_clean_theme(theme):
    assert [p for p in lint(theme) if p.level == "error"] == []


def error_codes(mutate) -> list[str]:
    spec = base_spec()
    mutate(spec)
    return codes(p for p in lint_spec(spec, REGISTRY) if p.level == "error")


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda s: s["items"][1].update(when={"q": "boss", "in": ["x"]}), ["unknown_question"]),
    (lambda s: s["items"][1].update(when={"q": "subject", "in": ["gov"]}), ["unknown_option"]),
    (lambda s: s["materials"][2].update(when={"not": {"q": "food_kind", "has": "wine"}}), ["unknown_option"]),
    (lambda s: s["items"][2].update(when={"q": "food_kind", "in": ["bulk"]}), ["in_on_multi"]),
    (lambda s: s["items"][1].update(when={"q": "subject", "has": "company"}), ["has_on_single"]),
    (lambda s: s["questions"][1].update(show_if={"q": "staff", "in": ["few"]}), ["forward_reference"]),
    (lambda s: s["questions"][1].update(show_if={"q": "food", "in": ["none"]}), ["forward_reference"]),
    (lambda s: s["materials"][0]["for_items"].append("I-OTHER"), ["material_item_not_bundled"]),
    (lambda s: s["materials"][0].update(for_items=[]), ["material_without_items"]),
    (lambda s: s["field_rules"].append({"field": "ghost.field", "when": {"q": "food", "in": ["some"]}}),
     ["field_rule_unknown_field"]),
    (lambda s: s["field_rules"].append({"field": "food.kind", "when": {"q": "subject", "in": ["company"]}}),
     ["duplicate_field_rule"]),
    (lambda s: s["questions"][0]["options"][0].update(exclusive=True), ["exclusive_on_single"]),
    (lambda s: s["questions"].append({"id": "extra", "text": "附加？", "options": [{"id": "only", "label": "唯一"}]}),
     ["too_few_options"]),
    (lambda s: s.update(items=[], materials=[]), ["no_items"]),
    (lambda s: s["items"].append({"item": "I-NOPE"}), ["unknown_item"]),
    (lambda s: s["questions"].append(copy.deepcopy(s["questions"][0])), ["duplicate"]),
    (lambda s: s["questions"][0].update(options="yes/no"), ["malformed"]),
])
def test_lint_errors(mutate, expected):
    assert error_codes(mutate) == expected


def test_lint_error_location_and_message():
    spec = base_spec()
    spec["items"][1]["when"] = {"q": "subject", "in": ["gov"]}
    (problem,) = lint_spec(spec, REGISTRY)
    assert (problem.level, problem.kind, problem.location) == ("error", "item", "I-CO")
    assert "gov" in problem.message and problem.as_dict()["code"] == "unknown_option"


def test_lint_too_many_paths(theme):
    (problem,) = lint(theme, path_limit=5)
    assert (problem.code, problem.kind, problem.location) == ("too_many_paths", "theme", "T-1")
    assert "5" in problem.message


def test_lint_structural_errors_come_before_paths():
    spec = base_spec()
    spec["items"][1]["when"] = {"q": "boss", "in": ["x"]}
    assert codes(lint_spec(spec, REGISTRY, path_limit=1)) == ["unknown_question"]


@pytest.mark.parametrize("spec", [None, [], "theme", {"code": 5}, {"code": "T", "items": "I-REG"},
                                  {"code": "T", "items": [{"item": "I-REG", "when": [1]}]},
                                  {"code": "T", "questions": [None, {"id": "a"}], "items": [{}]},
                                  {"code": "T", "fields": [1], "steps": [{"actor": 3}], "field_rules": [{}]},
                                  {"code": "T", "materials": [{"code": "M", "for_items": "I"}], "visits": 3}])
def test_lint_never_raises_on_bad_input(spec):
    problems = lint_spec(spec, REGISTRY)
    assert problems and all(p.level == "error" and p.message for p in problems)


def test_lint_refuses_absurdly_deep_conditions():
    cond = {"q": "subject", "in": ["company"]}
    for _ in range(MAX_CONDITION_DEPTH + 5):
        cond = {"not": cond}
    spec = base_spec()
    spec["items"][1]["when"] = cond
    assert codes(lint_spec(spec, REGISTRY)) == ["malformed"]


def warnings_of(spec) -> set[tuple[str, str]]:
    return {(p.code, p.location) for p in lint_spec(spec, REGISTRY) if p.level == "warning"}


def test_lint_warnings(theme):
    assert [p for p in lint(theme) if p.level == "warning"] == []
    spec = base_spec()
    # staff would need no food and bulk food at once: never shown, so I-STAFF and its DD step never apply.
    spec["questions"][3]["show_if"] = {"all": [{"q": "food", "in": ["none"]}, {"q": "food_kind", "has": "bulk"}]}
    spec["steps"].append({"name": "某局审核", "actor": "DX", "days": 1})
    spec["materials"][2].update(for_items=["I-CO"], when={"q": "subject", "in": ["person"]})
    problems = [p for p in lint_spec(spec, REGISTRY) if p.level == "warning"]
    assert {(p.code, p.kind, p.location) for p in problems} == {
        ("question_never_shown", "question", "staff"),
        ("item_never_applies", "item", "I-STAFF"),
        ("material_never_applies", "material", "M-LEASE"),
        ("step_department_without_item", "step", "4"),  # DD: only I-STAFF, which never applies
        ("step_department_without_item", "step", "7"),  # DX: no item at all
    }
    assert all(p.message for p in problems)


def option_warnings(spec) -> set[str]:
    return {p.location for p in lint_spec(spec, REGISTRY) if p.code == "option_no_effect"}


def test_lint_option_no_effect():
    spec = base_spec()
    spec["questions"][2]["options"].insert(2, {"id": "frozen", "label": "冷冻食品"})
    # Ticking frozen beside another option never matters, and frozen alone acts like the exclusive "neither".
    assert option_warnings(spec) == {"food_kind.frozen", "food_kind.neither"}

    spec = base_spec()
    spec["questions"][1]["options"].append({"id": "drinks", "label": "只卖饮料"})
    assert option_warnings(spec) == {"food.drinks"}  # interchangeable with "none"

    spec = base_spec()
    spec["items"] = [i for i in spec["items"] if i["item"] != "I-PACK"]
    spec["field_rules"][1]["when"] = {"q": "food", "in": ["some"]}
    # packed now only matters alone, where it acts like the exclusive "neither".
    assert option_warnings(spec) == {"food_kind.packed", "food_kind.neither"}


# --------------------------------------------------------------------------- situation tree


def collect(node, answers, holds):
    """Items the tree gives for answers, and undecided items of cut-off nodes reached."""
    got, undecided = set(node.items), set(node.undecided)
    for split in node.splits:
        held = [b for b in split.branches if holds(b.when, answers)]
        assert len(held) <= 1
        for branch in held:
            more, open_ = collect(branch.node, answers, holds)
            got |= more
            undecided |= open_
    return got, undecided


def holds(cond, answers):
    if "all" in cond:
        return all(holds(c, answers) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, answers) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], answers)
    value = answers.get(cond["q"])
    if value is None:
        return False
    return value in cond["in"] if "in" in cond else cond["has"] in value


def test_situation_tree_small(theme):
    tree = situation_tree(theme)
    assert tree.items == ("I-REG",)
    for path in answer_paths(theme):
        got, undecided = collect(tree, path, holds)
        assert undecided == set() and got == set(evaluate(theme, path).items)
    data = json.loads(json.dumps(tree.as_dict()))
    assert set(data) == {"items", "splits", "undecided"}


def test_situation_tree_is_bounded(theme):
    tree = situation_tree(theme, max_depth=0)
    for path in answer_paths(theme):
        got, undecided = collect(tree, path, holds)
        assert got <= set(evaluate(theme, path).items) <= got | undecided


# --------------------------------------------------------------------------- reference catalogue


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Theme]:
    registry = {i["code"]: i for f in sorted(CATALOGUE.glob("items*.yaml")) for i in yaml.safe_load(f.read_text("utf-8"))}
    return {p.stem: Theme.from_spec(yaml.safe_load(p.read_text("utf-8")), registry)
            for p in sorted((CATALOGUE / "themes").glob("*.yaml"))}


SUPERMARKET = {"subject": "company", "food": "bulk", "area": "large", "tobacco": "sells", "sign": "large",
               "premises": "rent"}


def test_supermarket_full_case(catalogue):
    theme = catalogue["AK-YJS-001"]
    outcome = evaluate(theme, SUPERMARKET)
    assert outcome.complete and outcome.applies
    assert outcome.items == ("AK-XK-0001", "AK-XK-0003", "AK-XK-0005", "AK-XK-0006", "AK-XK-0008", "AK-XK-0007",
                             "AK-GG-0001", "AK-GG-0002")
    materials = [m.code for m, _ in outcome.materials]
    assert "M-PREMISES-LEASE" in materials and "M-PREMISES-OWN" not in materials
    assert "M-ARTICLES" in materials and "M-SIGN-DESIGN" in materials
    assert outcome.materials[1].material.code == "M-LEGAL-ID"
    assert outcome.materials[1].items == ("AK-XK-0001", "AK-XK-0003", "AK-XK-0008")
    assert {"enterprise.registered_capital", "food.category", "sign.content", "sign.size", "fire.seats"} <= set(
        outcome.fields)
    assert outcome.days["before"] == 46 and outcome.days["after"] == 8 and outcome.days["steps"] == 8
    assert outcome.visits == {"before": 6, "after": 1}


def test_supermarket_small_individual(catalogue):
    theme = catalogue["AK-YJS-001"]
    outcome = evaluate(theme, {"subject": "individual", "food": "none", "area": "small", "tobacco": "none",
                               "sign": "none", "premises": "own"})
    assert outcome.items == ("AK-XK-0002", "AK-GG-0002")
    materials = [m.code for m, _ in outcome.materials]
    assert "M-PREMISES-OWN" in materials and "M-ARTICLES" not in materials and "M-FOOD-LAYOUT" not in materials
    assert not {"enterprise.registered_capital", "food.category", "sign.size"} & set(outcome.fields)
    params = {k: [v] for k, v in to_query(theme, SUPERMARKET)}
    assert evaluate_params(theme, {**params, "food": ["fresh"]}).errors[0].message == (
        "“超市是否经营食品？”没有“fresh”这个选项，请重新选择。")


def test_supermarket_tree_and_lint(catalogue):
    theme = catalogue["AK-YJS-001"]
    assert [p for p in lint(theme) if p.level == "error"] == []
    tree = situation_tree(theme)
    assert tree.items == ("AK-GG-0002",)
    assert [s.question for s in tree.splits] == ["subject", "food", "area", "tobacco", "sign"]  # premises: no item
    assert all(b.node.splits == () for s in tree.splits for b in s.branches)


def test_largest_theme_evaluates_fast(catalogue):
    theme = max(catalogue.values(), key=lambda t: sum(1 for _ in answer_paths(t)))
    started = time.perf_counter()
    count = sum(evaluate(theme, path).complete for path in answer_paths(theme))
    assert count > 3000
    assert time.perf_counter() - started < 2.0
