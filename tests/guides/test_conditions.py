"""Conditions survive the trip catalogue → editor block → catalogue unchanged."""

import yaml

from guides.conditions import ConditionTooDeep, block_to_spec, describe, spec_to_block


def _all_conditions(catalogue_dir):
    for path in sorted((catalogue_dir / "themes").glob("*.yaml")):
        t = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i in t["items"]:
            yield i.get("when")
        for m in t["materials"]:
            yield m.get("when")
        for q in t.get("questions", []):
            yield q.get("show_if")
        for r in t.get("field_rules", []):
            yield r["when"]


def test_every_catalogue_condition_round_trips(catalogue_dir):
    seen = 0
    for cond in _all_conditions(catalogue_dir):
        assert block_to_spec(spec_to_block(cond)) == cond
        seen += 1
    assert seen > 1000


def test_empty_condition_means_always():
    assert spec_to_block(None)["terms"] == []
    assert block_to_spec(spec_to_block(None)) is None


def test_negated_group_and_nested_group():
    cond = {"not": {"all": [{"any": [{"q": "a", "has": "x"}, {"q": "a", "has": "y"}]}, {"q": "b", "in": ["z"]}]}}
    assert block_to_spec(spec_to_block(cond)) == cond


def test_three_levels_are_refused_not_flattened():
    deep = {"all": [{"any": [{"all": [{"q": "a", "in": ["x"]}, {"q": "b", "in": ["y"]}]}]}]}
    try:
        spec_to_block(deep)
    except ConditionTooDeep as exc:
        assert "嵌套过深" in str(exc)
    else:
        raise AssertionError("deep condition accepted")


def test_describe_uses_question_and_option_words():
    questions = [{"id": "food", "text": "是否经营食品？", "options": [{"id": "bulk", "label": "散装食品"}]}]
    assert describe({"q": "food", "in": ["bulk"]}, questions) == "当“是否经营食品？”选择“散装食品”时"
