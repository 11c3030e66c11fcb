"""`GET /api/themes/<code>/checklist/`: the engine's outcome as JSON, 400 for invalid answers, 404 JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.models import ThemePage
from screening.engine import evaluate
from screening.themes import screening_for

pytestmark = pytest.mark.django_db

URL = "/api/themes/AK-YJS-001/checklist/"
ANSWERS = {"subject": "company", "food": "bulk", "area": "large", "tobacco": "sells", "sign": "large",
           "premises": "own"}


def test_complete_answers_give_the_checklist(client):
    response = client.get(URL, ANSWERS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    page = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    expected = evaluate(screening_for(page).theme, ANSWERS).as_dict()
    expected.pop("errors")
    assert data == expected
    assert data["theme"] == "AK-YJS-001" and data["complete"] is True and data["next_question"] is None
    assert data["items"] == ["AK-XK-0001", "AK-XK-0003", "AK-XK-0005", "AK-XK-0006", "AK-XK-0008", "AK-XK-0007",
                             "AK-GG-0001", "AK-GG-0002"]
    legal_id = next(m for m in data["materials"] if m["code"] == "M-LEGAL-ID")
    assert legal_id["items"] == ["AK-XK-0001", "AK-XK-0003", "AK-XK-0008"]
    assert legal_id["source"] == "电子证照免提交"
    assert "M-PREMISES-LEASE" not in {m["code"] for m in data["materials"]}
    assert "enterprise.registered_capital" in data["fields"] and "sign.size" in data["fields"]
    assert data["days"]["before"] == 46 and data["days"]["after"] == 8
    assert data["visits"] == {"before": 6, "after": 1}
    assert [s["actor"] for s in data["steps"]] == ["申请人", "综合窗口", "并联", "综合窗口", "快递"]


def test_incomplete_answers_name_the_next_question(client):
    data = client.get(URL, {"subject": "individual", "food": "none"}).json()
    assert data["complete"] is False and data["next_question"] == "area"
    assert data["items"] == [] and data["materials"] == []


def test_multi_choice_repeats_the_parameter(client):
    page = next(p for p in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code")
                if any(q.multi and not q.show_if for q in screening_for(p).theme.questions))
    theme = screening_for(page).theme
    question = next(q for q in theme.questions if q.multi and not q.show_if)
    values = [o.id for o in question.options if not o.exclusive][:2]
    earlier = {}
    for q in theme.questions[: theme.questions.index(question)]:
        if q.show_if is None:
            earlier[q.id] = q.options[0].id
    query = "&".join([f"{k}={v}" for k, v in earlier.items()] + [f"{question.id}={v}" for v in values])
    response = client.get(f"/api/themes/{theme.code}/checklist/?{query}")
    assert response.status_code == 200, response.content
    exclusive = next((o for o in question.options if o.exclusive), None)
    if exclusive is not None:
        bad = client.get(f"/api/themes/{theme.code}/checklist/?{query}&{question.id}={exclusive.id}")
        assert bad.status_code == 400
        assert bad.json()["error"]["question"] == question.id


@pytest.mark.parametrize(
    ("params", "question", "value", "reason"),
    [
        ({"subject": "robot"}, "subject", "robot", "unknown_option"),
        ({"subject": "company", "colour": "red"}, "colour", "colour", "unknown_question"),
        ({"subject": ["company", "individual"]}, "subject", "company,individual", "multiple_values_for_single"),
        ({"subject": ""}, "subject", "", "empty"),
    ],
)
def test_invalid_answers_are_a_400_naming_question_and_value(client, params, question, value, reason):
    response = client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_answer"
    assert error["question"] == question and error["value"] == value and error["reason"] == reason
    assert error["message"] and error["errors"][0]["question"] == question


def test_answer_to_hidden_question_is_a_400(client):
    for page in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code"):
        theme = screening_for(page).theme
        dependent = next((q for q in theme.questions if q.show_if), None)
        if dependent is not None:
            break
    response = client.get(f"/api/themes/{theme.code}/checklist/", {dependent.id: dependent.options[0].id})
    assert response.status_code == 400
    assert response.json()["error"]["reason"] == "hidden_question"
    assert response.json()["error"]["question"] == dependent.id


def test_unknown_theme_is_a_json_404(client):
    response = client.get("/api/themes/NOPE/checklist/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_theme"


def test_county_only_theme_is_404_on_the_city_site(client, county_client):
    county_codes = {t["code"] for t in county_client.get("/api/themes/").json()["themes"]}
    city_codes = {t["code"] for t in client.get("/api/themes/").json()["themes"]}
    code = sorted(county_codes - city_codes)[0]
    assert client.get(f"/api/themes/{code}/checklist/").status_code == 404
    assert county_client.get(f"/api/themes/{code}/checklist/").status_code == 200


def test_checklist_api_queries_are_constant(client):
    client.get(URL, ANSWERS)  # warm the engine-theme cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, ANSWERS).status_code == 200
    assert len(queries) <= 3, [q["sql"] for q in queries]
