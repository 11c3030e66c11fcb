"""Editor checks in the Wagtail admin: lint warnings, the situation tree (情形树), validation messages, real POSTs."""

import copy

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock
from wagtail.test.utils.form_data import querydict_from_html

from guides.models import ThemePage
from screening import admin_views

pytestmark = pytest.mark.django_db


def _theme(code="AK-YJS-001"):
    return ThemePage.objects.get(code=code, alias_of__isnull=True, locale__language_code="zh-hans")


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor-boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def _edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def _tree_url(page):
    return reverse("screening_situation_tree", args=[page.pk])


# --------------------------------------------------------------------------- views and permissions


def test_edit_view_loads_and_links_the_situation_tree(superuser_client):
    page = _theme()
    response = superuser_client.get(_edit_url(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert _tree_url(page) in html and "情形树" in html
    # The reference theme is clean: no lint warnings are shown.
    assert "情形检查提示" not in html


def test_situation_tree_lists_items_by_answer(superuser_client):
    page = _theme()
    response = superuser_client.get(_tree_url(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert "情形树" in html and "我要开超市" in html
    assert "哪些回答需要办理哪些事项" in html
    for item in page.guide.items:
        assert item.item.name in html, item.item.name
    assert "新办纳税人涉税事项办理" in html  # always needed: listed at the root
    assert "始终办理" in html
    assert "问题“" in html and "回答“" in html
    assert "答案组合" in html and "种" in html


def test_situation_tree_of_a_county_alias_draws_the_city_theme(superuser_client):
    alias = ThemePage.objects.filter(code="AK-YJS-001", alias_of__isnull=False).first()
    response = superuser_client.get(_tree_url(alias))
    assert response.status_code == 200
    assert "我要开超市" in response.content.decode()


def test_situation_tree_buttons_only_on_themes(django_user_model):
    from screening.wagtail_hooks import situation_tree_header_button, situation_tree_listing_button

    user = django_user_model.objects.create_superuser("lister", "l@example.com", "pw")
    page = _theme()
    [button] = list(situation_tree_listing_button(page, user))
    assert button.url == _tree_url(page) and button.is_shown(user)
    assert list(situation_tree_header_button(page.get_parent(), user, "edit")) == []


def test_user_without_admin_access_is_sent_to_login(client, django_user_model):
    user = django_user_model.objects.create_user("visitor", "v@example.com", "pw")
    client.force_login(user)
    response = client.get(_tree_url(_theme()))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_editor_without_page_permission_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", "c@example.com", "pw")
    group = Group.objects.create(name="无页面权限的编辑")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    page = _theme()
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with an error message.
    _assert_refused(client.get(_tree_url(page)))
    _assert_refused(client.get(_edit_url(page)))


def _assert_refused(response):
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def test_tree_of_a_non_theme_page_is_refused(superuser_client):
    index = _theme().get_parent()
    _assert_refused(superuser_client.get(_tree_url(index)))


# --------------------------------------------------------------------------- lint warnings


def _add_silent_question(page):
    """A question no condition reads: both its options change nothing, a lint warning (not an error)."""
    questions = copy.deepcopy(page.questions.raw_data)
    questions.append({"type": "question", "value": {
        "id": "extra_note", "text": "是否需要额外说明？", "help": "", "type": "single",
        "options": [{"id": "yes_note", "label": "需要", "exclusive": False},
                    {"id": "no_note", "label": "不需要", "exclusive": False}],
        "show_if": {"match": "all", "negate": False, "terms": []},
    }})
    page.questions = questions
    return page


def test_lint_warnings_of_a_draft():
    page = _theme("AK-YJS-001")
    assert admin_views.theme_warnings(page) == []
    _add_silent_question(page)
    page.full_clean()  # a warning never blocks saving
    warnings = admin_views.theme_warnings(page)
    assert warnings and all(w.level == "warning" for w in warnings)
    assert any("是否需要额外说明？" in w.message for w in warnings)
    texts = admin_views.warning_messages(page)
    assert texts[0].startswith("情形检查提示：")


def test_edit_view_shows_catalogue_warnings(superuser_client):
    # The reference catalogue has a few options that change nothing; the editor is told, saving is not blocked.
    html = superuser_client.get(_edit_url(_theme("AK-YJS-002"))).content.decode()
    assert "情形检查提示" in html and "热食类" in html


def test_edit_view_shows_warnings_of_the_latest_draft(superuser_client):
    page = _theme("AK-YJS-001")
    _add_silent_question(page).save_revision()
    html = superuser_client.get(_edit_url(page)).content.decode()
    assert "情形检查提示" in html and "是否需要额外说明？" in html
    tree = superuser_client.get(_tree_url(page)).content.decode()
    assert "按最新草稿绘制" in tree and "是否需要额外说明？" in tree


# --------------------------------------------------------------------------- validation messages (full_clean)


def _messages(page):
    with pytest.raises(ValidationError) as exc:
        page.full_clean()
    return " ".join(exc.value.messages)


def _set_in_stream(page, name, index, mutate):
    raw = copy.deepcopy(getattr(page, name).raw_data)
    mutate(raw[index]["value"])
    setattr(page, name, raw)


def test_material_for_an_item_the_theme_does_not_bundle():
    page = _theme()
    _set_in_stream(page, "materials", 0, lambda v: v["for_items"].append("AK-XK-9999"))
    assert "本主题不包含该事项" in _messages(page)


def test_show_if_on_a_later_question():
    page = _theme()
    later = page.questions.raw_data[-1]["value"]["id"]

    def mutate(v):
        v["show_if"] = {"match": "all", "negate": False, "terms": [
            {"type": "clause", "value": {"question": later, "operator": "in", "options": ["own"], "negate": False}}]}

    _set_in_stream(page, "questions", 0, mutate)
    assert "显示条件只能引用前面的问题" in _messages(page)


def _item_when(page, clause):
    def mutate(v):
        v["when"] = {"match": "all", "negate": False, "terms": [{"type": "clause", "value": clause}]}

    _set_in_stream(page, "items", 0, mutate)
    return page


def test_has_on_a_single_choice_question():
    page = _item_when(_theme(), {"question": "food", "operator": "has", "options": ["bulk"], "negate": False})
    assert "是单选题，条件应写成 in" in _messages(page)


def test_has_with_two_options():
    page = _item_when(_theme(), {"question": "food", "operator": "has", "options": ["bulk", "none"], "negate": False})
    assert "“包含”只能填写一个选项" in _messages(page)


def test_unknown_option():
    page = _item_when(_theme(), {"question": "food", "operator": "in", "options": ["caviar"], "negate": False})
    assert "不存在的选项“caviar”" in _messages(page)


# --------------------------------------------------------------------------- real admin POSTs


def _block_data(block, value, prefix, out):
    """Flatten a block value into the admin form's POST fields (what the StreamField JS would submit)."""
    if isinstance(block, blocks.StreamBlock):
        children = list(value or [])
        out[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            out.update({f"{prefix}-{i}-type": child.block_type, f"{prefix}-{i}-id": child.id or "",
                        f"{prefix}-{i}-deleted": "", f"{prefix}-{i}-order": str(i)})
            _block_data(child.block, child.value, f"{prefix}-{i}-value", out)
    elif isinstance(block, blocks.ListBlock):
        children = list(value.bound_blocks) if value is not None else []
        out[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            out.update({f"{prefix}-{i}-id": child.id or "", f"{prefix}-{i}-deleted": "", f"{prefix}-{i}-order": str(i)})
            _block_data(block.child_block, child.value, f"{prefix}-{i}-value", out)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            _block_data(child, value.get(name) if value is not None else None, f"{prefix}-{name}", out)
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            out[prefix] = "on"
    elif isinstance(block, SnippetChooserBlock):
        out[prefix] = str(value.pk) if value is not None else ""
    else:
        out[prefix] = "" if value is None else str(value)


STREAMS = ("items", "questions", "materials", "steps", "form_fields")


def _edit_form_data(client, page):
    """The edit form as the browser would post it: plain fields from the HTML, StreamFields rebuilt."""
    html = client.get(_edit_url(page)).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    for name in list(data):
        if name.split("-", 1)[0] in STREAMS:
            del data[name]
    for name in STREAMS:
        stream = getattr(page, name)
        flat = {}
        _block_data(stream.stream_block, stream, name, flat)
        data.update(flat)
    return data


def _form_errors(html):
    """The admin's error texts (field errors, block errors in the StreamField JSON, messages), for failures."""
    import re

    found = re.findall(r'class="[^"]*(?:error-message|help-critical|w-field__errors)[^"]*"[^>]*>(.*?)</', html, re.S)
    found += re.findall(r'(?:messages|blockErrors|errors)&quot;:(.{0,300})', html)
    return "\n".join(x.strip() for x in found if x.strip())[:3000] or html[-3000:]


def test_admin_post_publishes_a_changed_title(superuser_client):
    page = _theme("AK-YJS-003")
    data = _edit_form_data(superuser_client, page)
    data["title"] = page.title + "（改）"
    data["action-publish"] = "action-publish"
    response = superuser_client.post(_edit_url(page), data)
    assert response.status_code == 302, _form_errors(response.content.decode())
    page.refresh_from_db()
    assert page.title.endswith("（改）") and page.live and not page.has_unpublished_changes


def test_admin_post_with_a_bad_condition_is_rejected_in_chinese(superuser_client):
    page = _theme("AK-YJS-003")
    title = page.title
    data = _edit_form_data(superuser_client, page)
    # Point an item's condition at an option the question does not have.
    _item_when(page, {"question": page.questions.raw_data[0]["value"]["id"], "operator": "in",
                      "options": ["no_such_option"], "negate": False})
    flat = {}
    _block_data(page.items.stream_block, page.items, "items", flat)
    for name in [n for n in data if n.startswith("items-")]:
        del data[name]
    data.update(flat)
    data["title"] = title + "（不应保存）"
    data["action-publish"] = "action-publish"
    response = superuser_client.post(_edit_url(page), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不存在的选项“no_such_option”" in html
    page.refresh_from_db()
    assert page.title == title
