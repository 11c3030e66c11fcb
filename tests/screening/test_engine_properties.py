"""Property tests: the engine against a brute-force oracle written straight from SCHEMA.md.

Random valid themes (show_if on earlier questions only, random conditions everywhere) are checked on
every answer path; random answer sets check validation and pruning; garbage specs check that lint
never raises. The reference catalogue is checked as a whole at the end.
"""

import itertools
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.engine import (
    Problem,
    Theme,
    answer_paths,
    evaluate,
    lint,
    lint_spec,
    parse_answers,
    prune,
    situation_tree,
    to_query,
)

CATALOGUE = Path(__file__).resolve().parents[2] / "demo" / "catalogue"
FIXED_ACTORS = ("申请人", "综合窗口", "并联", "快递")
DEPARTMENTS = ("DA", "DB", "DC")
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- oracle (SCHEMA.md, literally)


def holds(cond, answers):
    if cond is None:
        return True
    if "all" in cond:
        return all(holds(c, answers) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, answers) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], answers)
    value = answers.get(cond["q"])
    if value is None:  # a question that is not shown has no answer
        return False
    return value in cond["in"] if "in" in cond else cond["has"] in value


def valid_values(question):
    ids = [o["id"] for o in question["options"]]
    if question["type"] == "single":
        return ids
    exclusive = {o["id"] for o in question["options"] if o.get("exclusive")}
    subsets = (frozenset(i for k, i in enumerate(ids) if bits >> k & 1) for bits in range(1, 2 ** len(ids)))
    return [s for s in subsets if len(s) == 1 or not s & exclusive]


def oracle_paths(spec):
    """Every combination of answers (or none) to every question, kept when exactly the shown ones are answered."""
    questions = spec["questions"]
    paths = []
    for combo in itertools.product(*([None, *valid_values(q)] for q in questions)):
        answers = {q["id"]: v for q, v in zip(questions, combo, strict=True) if v is not None}
        if all((v is not None) == holds(q.get("show_if"), answers) for q, v in zip(questions, combo, strict=True)):
            paths.append(answers)
    return paths


def oracle_select(spec, registry, answers):
    items = [i["item"] for i in spec["items"] if holds(i.get("when"), answers)]
    materials = [(m["code"], tuple(i for i in items if i in m["for_items"])) for m in spec["materials"]
                 if holds(m.get("when"), answers) and set(items) & set(m["for_items"])]
    fields = [f for f in spec["fields"]
              if items and all(holds(r["when"], answers) for r in spec["field_rules"] if r["field"] == f)]
    departments = []
    for item in items:
        if registry[item]["department"] not in departments:
            departments.append(registry[item]["department"])
    steps = [s["name"] for s in spec["steps"] if s["actor"] in FIXED_ACTORS or s["actor"] in departments]
    return {"items": items, "materials": materials, "fields": fields, "departments": departments, "steps": steps}


def oracle_prune(spec, answers):
    """(kept answers, whether any answer was invalid) walking the questions in order."""
    kept, invalid = {}, False
    for q in spec["questions"]:
        if q["id"] in answers:
            if holds(q.get("show_if"), kept) and answers[q["id"]] in valid_values(q):
                kept[q["id"]] = answers[q["id"]]
            else:
                invalid = True
    ids = {q["id"] for q in spec["questions"]}
    return kept, invalid or any(k not in ids for k in answers)


def canonical(answers):
    return tuple(sorted((k, v if isinstance(v, str) else tuple(sorted(v))) for k, v in answers.items()))


def oracle_warnings(spec, registry, paths):
    """The lint warnings, recomputed by brute force from their documented definitions."""
    selections = {canonical(p): oracle_select(spec, registry, p) for p in paths}
    signature = {k: (s["items"], [c for c, _ in s["materials"]], s["fields"], s["steps"]) for k, s in selections.items()}
    warnings = set()
    for q in spec["questions"]:
        qid = q["id"]
        answered = [p for p in paths if qid in p]
        if not answered:
            warnings.add(("question_never_shown", qid))
            continue

        def same(path, value, qid=qid):
            moved = canonical({**path, qid: value})
            return moved in signature and signature[moved] == signature[canonical(path)]

        def interchangeable(a, b, qid=qid, answered=answered, same=same):
            return (all(same(p, b) for p in answered if p[qid] == a)
                    and all(same(p, a) for p in answered if p[qid] == b))

        options = q["options"]
        for n, option in enumerate(options):
            oid = option["id"]
            if q["type"] == "single":
                if any(interchangeable(oid, o["id"]) for o in options[:n]):
                    warnings.add(("option_no_effect", f"{qid}.{oid}"))
            elif option.get("exclusive"):
                others = [o for k, o in enumerate(options) if k < n or (k > n and not o.get("exclusive"))]
                if any(interchangeable(frozenset({oid}), frozenset({o["id"]})) for o in others):
                    warnings.add(("option_no_effect", f"{qid}.{oid}"))
            else:
                combined = [p for p in answered if oid in p[qid] and len(p[qid]) > 1]
                if combined and all(same(p, p[qid] - {oid}) for p in combined):
                    warnings.add(("option_no_effect", f"{qid}.{oid}"))
    applied = [s for s in selections.values()]
    for i in spec["items"]:
        if not any(i["item"] in s["items"] for s in applied):
            warnings.add(("item_never_applies", i["item"]))
    for m in spec["materials"]:
        if not any(m["code"] == c for s in applied for c, _ in s["materials"]):
            warnings.add(("material_never_applies", m["code"]))
    for n, step in enumerate(spec["steps"]):
        if step["actor"] not in FIXED_ACTORS and not any(step["actor"] in s["departments"] for s in applied):
            warnings.add(("step_department_without_item", str(n + 1)))
    return warnings


# --------------------------------------------------------------------------- random themes


@st.composite
def conditions(draw, questions, depth=0):
    kind = draw(st.sampled_from(["leaf", "leaf", "leaf"] + (["all", "any", "not"] if depth < 2 else [])))
    if kind == "leaf":
        question = draw(st.sampled_from(questions))
        ids = [o["id"] for o in question["options"]]
        if question["type"] == "single":
            return {"q": question["id"], "in": draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))}
        return {"q": question["id"], "has": draw(st.sampled_from(ids))}
    if kind == "not":
        return {"not": draw(conditions(questions, depth + 1))}
    return {kind: draw(st.lists(conditions(questions, depth + 1), max_size=3))}


def maybe_when(draw, questions, key="when"):
    cond = draw(st.none() | conditions(questions))
    return {} if cond is None else {key: cond}


@st.composite
def themes(draw):
    """(spec, item registry) of a random theme that SCHEMA.md accepts."""
    questions = []
    for n in range(draw(st.integers(1, 4))):
        multi = draw(st.booleans())
        count = draw(st.integers(2, 3 if multi else 4))
        options = [{"id": f"o{k}", "label": f"选项{k}"} for k in range(count)]
        if multi and draw(st.booleans()):
            options[draw(st.integers(0, count - 1))]["exclusive"] = True
        question = {"id": f"q{n}", "text": f"第{n}个问题？", "type": "multi" if multi else "single", "options": options}
        if questions:
            question.update(maybe_when(draw, questions, "show_if"))
        questions.append(question)
    codes = [f"I{k}" for k in range(draw(st.integers(1, 4)))]
    registry = {c: {"name": f"事项{c}", "department": draw(st.sampled_from(DEPARTMENTS)),
                    "promised_days": draw(st.integers(0, 5)), "legal_days": draw(st.integers(5, 20))} for c in codes}
    items = [{"item": c, **maybe_when(draw, questions)} for c in codes]
    materials = [{"code": f"M{k}", "name": f"材料{k}", "source": "申请人自备", "form": "原件", "copies": 1,
                  "for_items": draw(st.lists(st.sampled_from(codes), min_size=1, unique=True)),
                  **maybe_when(draw, questions)} for k in range(draw(st.integers(0, 3)))]
    fields = [f"f{k}" for k in range(draw(st.integers(0, 3)))]
    field_rules = [{"field": f, "when": draw(conditions(questions))} for f in fields if draw(st.booleans())]
    steps = [{"name": f"步骤{k}", "actor": draw(st.sampled_from(FIXED_ACTORS + DEPARTMENTS + ("DZ",))),
              "days": draw(st.integers(0, 3))} for k in range(draw(st.integers(0, 4)))]
    spec = {"code": "T-R", "title": "随机主题", "questions": questions, "items": items, "materials": materials,
            "steps": steps, "fields": fields, "field_rules": field_rules,
            "days": {"before": 20, "after": 5}, "visits": {"before": 3, "after": 1}}
    return spec, registry


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(themes())
def test_evaluate_and_answer_paths_match_the_oracle(case):
    spec, registry = case
    theme = Theme.from_spec(spec, registry)
    expected = oracle_paths(spec)
    paths = list(answer_paths(theme))
    assert sorted(map(canonical, paths)) == sorted(map(canonical, expected))
    order = [q["id"] for q in spec["questions"]]
    for path in paths:
        assert list(path) == [q for q in order if q in path]
        outcome = evaluate(theme, path)
        want = oracle_select(spec, registry, path)
        assert outcome.complete and outcome.errors == () and outcome.next_question is None
        assert list(outcome.items) == want["items"]
        assert [(m.code, served) for m, served in outcome.materials] == want["materials"]
        assert list(outcome.fields) == want["fields"]
        assert list(outcome.departments) == want["departments"]
        assert [s.name for s in outcome.steps] == want["steps"]
        assert outcome.applies == bool(want["items"])
        assert outcome.days["items_legal_sum"] == sum(registry[i]["legal_days"] for i in want["items"])
        assert outcome.days["items_promised_max"] == max((registry[i]["promised_days"] for i in want["items"]), default=0)


@st.composite
def themes_and_answers(draw):
    spec, registry = draw(themes())
    answers = {}
    for q in spec["questions"]:
        ids = [o["id"] for o in q["options"]]
        kind = draw(st.sampled_from(["absent", "valid", "valid", "bogus"]))
        if kind == "valid":
            answers[q["id"]] = draw(st.sampled_from(valid_values(q)))
        elif kind == "bogus" and q["type"] == "single":
            answers[q["id"]] = draw(st.sampled_from(["zz", ""]))
        elif kind == "bogus":
            answers[q["id"]] = draw(st.sampled_from([frozenset(), frozenset({"zz"}), frozenset(ids)]))
    if draw(st.integers(0, 9)) == 0:
        answers["stray"] = "x"
    return spec, registry, answers


@SETTINGS
@given(themes_and_answers())
def test_random_answers_validate_and_prune_like_the_oracle(case):
    spec, registry, answers = case
    theme = Theme.from_spec(spec, registry)
    kept, invalid = oracle_prune(spec, answers)
    outcome = evaluate(theme, answers)
    assert bool(outcome.errors) == invalid
    assert prune(theme, answers) == kept == dict(outcome.answers)
    assert prune(theme, kept) == kept
    shown = [q["id"] for q in spec["questions"] if holds(q.get("show_if"), kept)]
    assert [q.id for q in outcome.shown] == shown
    following = next((q for q in shown if q not in kept), None)
    assert (outcome.next_question and outcome.next_question.id) == following
    assert outcome.complete == (not invalid and following is None)
    if outcome.complete:
        assert list(outcome.items) == oracle_select(spec, registry, kept)["items"]
    else:
        assert outcome.items == outcome.materials == outcome.fields == outcome.steps == ()
    params = {}
    for key, value in to_query(theme, kept):
        params.setdefault(key, []).append(value)
    assert parse_answers(theme, params) == (kept, [])


@SETTINGS
@given(themes())
def test_lint_matches_the_oracle(case):
    spec, registry = case
    theme = Theme.from_spec(spec, registry)
    problems = lint(theme)
    assert [p for p in problems if p.level == "error"] == []
    assert {(p.code, p.location) for p in problems} == oracle_warnings(spec, registry, oracle_paths(spec))


def tree_items(node, answers):
    got, undecided = set(node.items), set(node.undecided)
    for split in node.splits:
        held = [b for b in split.branches if holds(b.when, answers)]
        assert len(held) <= 1
        for branch in held:
            more, still = tree_items(branch.node, answers)
            got |= more
            undecided |= still
    return got, undecided


@settings(SETTINGS, max_examples=1200)  # nesting on whether a multi-choice question is asked is rare
@given(themes(), st.integers(0, 3))
def test_situation_tree_gives_each_path_its_items(case, max_depth):
    spec, registry = case
    theme = Theme.from_spec(spec, registry)
    exact = situation_tree(theme, max_depth=100, max_nodes=10**6)
    bounded = situation_tree(theme, max_depth=max_depth, max_nodes=8)
    for path in answer_paths(theme):
        items = set(evaluate(theme, path).items)
        assert tree_items(exact, path) == (items, set())
        got, undecided = tree_items(bounded, path)
        assert got <= items <= got | undecided


# --------------------------------------------------------------------------- garbage never breaks lint

VOCABULARY = ["code", "title", "items", "item", "questions", "id", "text", "type", "options", "label", "exclusive",
              "show_if", "when", "q", "in", "has", "all", "any", "not", "materials", "for_items", "name", "source",
              "form", "copies", "note", "steps", "actor", "days", "fields", "field_rules", "field", "visits",
              "before", "after", "help", "single", "multi", "I0", "q0", "o0"]
garbage = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(VOCABULARY) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(VOCABULARY), inner, max_size=4),
    max_leaves=12,
)


def slots(value, found):
    """Every (container, key) position inside a spec."""
    if isinstance(value, dict):
        for key in value:
            found.append((value, key))
            slots(value[key], found)
    elif isinstance(value, list):
        for key in range(len(value)):
            found.append((value, key))
            slots(value[key], found)
    return found


def check_lint_spec(spec, registry):
    problems = lint_spec(spec, registry, path_limit=500)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    if not any(p.level == "error" for p in problems):
        theme = Theme.from_spec(spec, registry)
        for path in answer_paths(theme, limit=500):
            evaluate(theme, path)
        situation_tree(theme, path_limit=500)


@SETTINGS
@given(garbage)
def test_lint_spec_never_raises_on_garbage(spec):
    check_lint_spec(spec, {"I0": {"name": "事项", "department": "DA", "promised_days": 1, "legal_days": 2}})


@SETTINGS
@given(themes(), st.data())
def test_lint_spec_never_raises_on_damaged_themes(case, data):
    spec, registry = case
    container, key = data.draw(st.sampled_from(slots(spec, [])))
    container[key] = data.draw(garbage)
    check_lint_spec(spec, registry)


# --------------------------------------------------------------------------- the reference catalogue


def test_reference_catalogue():
    registry = {i["code"]: i for f in sorted(CATALOGUE.glob("items*.yaml")) for i in yaml.safe_load(f.read_text("utf-8"))}
    files = sorted((CATALOGUE / "themes").glob("*.yaml"))
    assert len(files) == 100
    total = not_applying = 0
    for path in files:
        spec = yaml.safe_load(path.read_text("utf-8"))
        assert [p for p in lint_spec(spec, registry) if p.level == "error"] == [], path.name
        theme = Theme.from_spec(spec, registry)
        for answers in answer_paths(theme):
            outcome = evaluate(theme, answers)
            assert outcome.complete
            total += 1
            not_applying += not outcome.applies
    assert (total, not_applying) == (34911, 52)
