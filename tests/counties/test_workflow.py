"""Editor submits, reviewer approves or rejects with a comment, then it is live; scheduling; the audit log."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import PageLogEntry

from guides.models import ThemePage
from home.models import HomePage

pytestmark = pytest.mark.django_db


def _user(group, name):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw")
    user.groups.add(Group.objects.get(name=group))
    return user


def _county_page():
    return ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").descendant_of(
        HomePage.objects.get(site_code="hanbin", locale__language_code="zh-hans")).first()


def test_submit_then_approve_publishes_and_is_logged():
    editor, reviewer = _user("汉滨区编辑", "e1"), _user("汉滨区审核", "r1")
    page = _county_page()
    workflow = page.get_workflow()
    assert workflow.name == "汉滨区发布审核"
    page.title = "汉滨区特色主题（修订）"
    revision = page.save_revision(user=editor, log_action=True)
    state = workflow.start(page, editor)
    task_state = state.current_task_state
    assert task_state.task.specific.get_actions(page, editor) == []
    assert [a[0] for a in task_state.task.specific.get_actions(page, reviewer)][:2] == ["reject", "approve"]
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="内容核对无误")
    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk and page.title == "汉滨区特色主题（修订）"
    actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions


def test_reject_keeps_the_live_version_and_records_the_comment():
    editor, reviewer = _user("汉滨区编辑", "e2"), _user("汉滨区审核", "r3")
    page = _county_page()
    live_title = page.title
    page.title = "不该上线的标题"
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "reject", comment="材料清单不完整")
    page.refresh_from_db()
    assert page.title == live_title
    task_state.refresh_from_db()
    assert task_state.status == "rejected" and task_state.comment == "材料清单不完整"


def test_other_county_reviewer_cannot_act():
    editor, outsider = _user("汉滨区编辑", "e3"), _user("汉阴县审核", "r4")
    page = _county_page()
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)
    assert state.current_task_state.task.specific.get_actions(page, outsider) == []


def test_scheduled_publishing():
    page = _county_page()
    page.title = "定时发布的标题"
    revision = page.save_revision(approved_go_live_at=timezone.now() - timedelta(minutes=1))
    call_command("publish_scheduled", verbosity=0)
    page.refresh_from_db()
    assert page.title == "定时发布的标题" and page.live_revision_id == revision.pk


def test_revisions_compare_view(client):
    admin = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    page = _county_page()
    first = page.save_revision()
    page.title = "第二版"
    second = page.save_revision()
    response = client.get(f"/admin/pages/{page.pk}/revisions/compare/{first.pk}...{second.pk}/")
    assert response.status_code == 200 and "第二版" in response.content.decode()
