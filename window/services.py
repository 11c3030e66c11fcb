"""What happens to a case, in one place: receiving hand-offs, acceptance, parallel approval, issuing, delivery and
rating. Every status change goes through `move`, which refuses transitions not in TRANSITIONS."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from . import reporting, workdays
from .constants import (
    BAD_RATING,
    DEFAULT_PROMISED_DAYS,
    FOLLOW_UP_WORKDAYS,
    CaseStatus,
    Delivery,
    Shipment,
    TaskStatus,
    Via,
)
from .models import Case, CaseVersion, Event, FollowUp, Inspection, Rating, Task

log = logging.getLogger("window")

TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.RECEIVED: frozenset({CaseStatus.IN_APPROVAL, CaseStatus.RETURNED}),
    # A returned case comes back only with a corrected version of the application (一次性补正).
    CaseStatus.RETURNED: frozenset({CaseStatus.RECEIVED}),
    CaseStatus.IN_APPROVAL: frozenset({CaseStatus.DECIDED}),
    CaseStatus.DECIDED: frozenset({CaseStatus.ISSUED}),
    CaseStatus.ISSUED: frozenset({CaseStatus.DELIVERED}),
    CaseStatus.DELIVERED: frozenset(),
}
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.PENDING: frozenset({TaskStatus.APPROVED, TaskStatus.REJECTED}),
    TaskStatus.APPROVED: frozenset(),
    TaskStatus.REJECTED: frozenset(),
}
DOWNLOAD_SALT = "window.results"
DOWNLOAD_MAX_AGE = 180 * 24 * 3600


def stored(func):
    """Run a service in the default language: what it writes (timeline notes naming status labels, the results
    link sent to the applicant) is Chinese data with unprefixed URLs, whatever language the caller reads in. A new
    override per call: one shared override instance as a decorator would share its saved state between threads."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


class InvalidTransition(ValueError):
    def __init__(self, current: str, target: str, reason: str = ""):
        self.current, self.target = current, target
        super().__init__(reason or f"cannot go from {current} to {target}")


class DocumentError(ValueError):
    """The hand-off document is not one intake could have sent (schema, or a conflicting resubmission)."""


def by_name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def move(case: Case, target: str, *, by: str, action: str, note: str = "", **changes) -> Case:
    """Change ``case`` to ``target`` on the locked row, or raise InvalidTransition; logs a timeline event."""
    with transaction.atomic():
        row = Case.objects.select_for_update().get(pk=case.pk)
        if target not in TRANSITIONS.get(row.status, frozenset()):
            raise InvalidTransition(row.status, target)
        row.status = target
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        Event.objects.create(case=row, action=action, by=by, note=note)
    case.refresh_from_db()
    return case


# --------------------------------------------------------------------------- receiving


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads((settings.BASE_DIR / "docs" / "handoff.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _site(hostname: str):
    from wagtail.models import Site

    return Site.objects.filter(hostname=hostname).order_by("pk").first() if hostname else None


@stored
def receive(document: dict, *, via: str = Via.IN_PROCESS) -> tuple[Case, str]:
    """Take a hand-off document: (case, "created" | "duplicate" | "resubmitted").

    The same document again (intake retries) is a duplicate. A different document for a case returned for
    correction is the applicant's corrected resubmission: a new version. A different document in any other state
    raises DocumentError: intake must not change an application the window is working on.
    """
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        raise DocumentError("; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5]))
    number, key = document["tracking_number"], digest(document)
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(tracking_number=number).first()
        if case is None:
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        tracking_number=number, site=_site(document["site"]), theme_code=document["theme"]["code"],
                        theme_title=document["theme"]["title"], document=document, delivery=document["delivery"],
                        contact_phone=document["contact_phone"],
                        submitted_at=datetime.fromisoformat(document["submitted_at"]))
            except IntegrityError:  # a concurrent delivery of the same application won
                return Case.objects.get(tracking_number=number), "duplicate"
            CaseVersion.objects.create(case=case, number=1, document=document, digest=key, via=via)
            Event.objects.create(case=case, action="收件", by="一次表单", note=Via(via).label)
            return case, "created"
        if case.versions.filter(digest=key).exists():
            return case, "duplicate"
        if case.status != CaseStatus.RETURNED:
            raise DocumentError(f"{number} is {case.status}; only a returned application may be resubmitted")
        number_next = case.version + 1
        CaseVersion.objects.create(case=case, number=number_next, document=document, digest=key, via=via)
        move(case, CaseStatus.RECEIVED, by="申请人", action="补正后重新提交", note=f"第{number_next}版",
             version=number_next, document=document, delivery=document["delivery"],
             contact_phone=document["contact_phone"])
        reporting.report(case, "submitted", note="补正材料已提交，等待综合窗口受理")
    return case, "resubmitted"


def diff(old: dict, new: dict) -> dict:
    """What changed between two versions: fields (label, old, new) and materials (added/removed/replaced)."""
    before = {f["code"]: f for f in old.get("fields", [])}
    after = {f["code"]: f for f in new.get("fields", [])}
    fields = [{"code": code, "label": (after.get(code) or before[code])["label"],
               "old": before.get(code, {}).get("value", ""), "new": after.get(code, {}).get("value", "")}
              for code in list(before) + [c for c in after if c not in before]
              if before.get(code, {}).get("value", "") != after.get(code, {}).get("value", "")]
    m_before = {m["code"]: m for m in old.get("materials", [])}
    m_after = {m["code"]: m for m in new.get("materials", [])}
    materials = []
    for code in list(m_before) + [c for c in m_after if c not in m_before]:
        a, b = m_before.get(code), m_after.get(code)
        if a and not b:
            materials.append({"code": code, "name": a["name"], "change": "删除", "file": a["file_name"]})
        elif b and not a:
            materials.append({"code": code, "name": b["name"], "change": "新增", "file": b["file_name"]})
        elif a["sha256"] != b["sha256"]:
            materials.append({"code": code, "name": b["name"], "change": "重新上传", "file": b["file_name"]})
    return {"fields": fields, "materials": materials}


# --------------------------------------------------------------------------- acceptance and approval


def promised_days(theme_code: str, site=None) -> int:
    """The promise the applicant was shown: the theme's integrated days_after, or the county's own (shorter)
    promise on the site the application came from; a default where the catalogue lacks the theme."""
    from guides.extensions import local_theme
    from guides.models import ThemePage

    page = (ThemePage.objects.filter(code=theme_code, live=True, alias_of__isnull=True,
                                     locale__language_code=settings.LANGUAGE_CODE).first())
    if page is None:
        return DEFAULT_PROMISED_DAYS
    return local_theme(page, site).days_after or DEFAULT_PROMISED_DAYS


def _departments(codes: list[str]) -> dict[str, tuple[str, str]]:
    from guides.models import ServiceItem

    return {code: (dept, name) for code, dept, name in ServiceItem.objects.filter(code__in=codes)
            .values_list("code", "department__code", "department__name")}


@stored
def accept(case: Case, *, user, site) -> Case:
    """受理: the window accepts, and every applicable item goes to its department at the same time (一次联办)."""
    now = timezone.now()
    days = promised_days(case.theme_code, case.site)
    due = workdays.add_workdays(timezone.localdate(now), days)
    with transaction.atomic():
        move(case, CaseStatus.IN_APPROVAL, by=by_name(user), action="综合窗口受理",
             note=f"受理窗口：{site.site_name if site else '—'}；承诺{days}个工作日，{due:%Y-%m-%d}前办结",
             problems=[], accepted_at=now, accepted_site=site, accepted_by=user, promised_days=days, due_date=due)
        items = case.document.get("items", [])
        departments = _departments([i["code"] for i in items])
        Task.objects.bulk_create([
            Task(case=case, item_code=i["code"], item_name=i["name"],
                 department_code=departments.get(i["code"], ("", ""))[0],
                 department_name=departments.get(i["code"], ("", ""))[1]) for i in items
        ], ignore_conflicts=True)
        # A case accepted again after correction keeps its tasks: they take the new deadline too.
        Task.objects.filter(case=case).update(due_date=due)
        Event.objects.create(case=case, action="同步分送各审批部门", by="系统",
                             note="、".join(sorted({d[1] or d[0] for d in departments.values()})) or f"{len(items)}个事项")
        reporting.report(case, "accepted", note=f"综合窗口已受理，承诺{due:%Y-%m-%d}前办结")
        reporting.report(case, "in_approval", note="已同步分送各审批部门并联审批")
    return case


@stored
def return_for_correction(case: Case, *, user, problems: list[str], fix: dict | None = None) -> Case:
    """退回补正 with the exact list of what to fix, all at once (一次性告知); ``fix`` names the materials and fields
    by code so the applicant's correction page asks for exactly those again."""
    problems = [p.strip() for p in problems if p and p.strip()]
    if not problems:
        raise InvalidTransition(case.status, CaseStatus.RETURNED, "a return must list what to fix")
    with transaction.atomic():
        move(case, CaseStatus.RETURNED, by=by_name(user), action="退回补正（一次性告知）", note="；".join(problems),
             problems=problems)
        reporting.report(case, "returned", note="请按一次性告知内容补正后重新提交", problems=problems, fix=fix)
    return case


@stored
def decide(task: Task, *, user, approve: bool, licence_number: str = "", result_file=None, reason: str = "") -> Task:
    """A department's decision on its task; the last decision makes the case ready to issue."""
    target = TaskStatus.APPROVED if approve else TaskStatus.REJECTED
    with transaction.atomic():
        row = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        if row.case.status != CaseStatus.IN_APPROVAL or target not in TASK_TRANSITIONS[row.status]:
            raise InvalidTransition(row.status, target)
        if approve and not (licence_number or result_file):
            raise InvalidTransition(row.status, target, "an approval needs a licence number or a result file")
        if not approve and not reason.strip():
            raise InvalidTransition(row.status, target, "a rejection needs a reason")
        row.status, row.decided_at, row.decided_by = target, timezone.now(), user
        row.licence_number, row.reason = licence_number.strip(), reason.strip()
        if result_file is not None:
            row.result_name = result_file.name[:120]
            row.result_file.save(f"{row.case.tracking_number}-{row.item_code}-{secrets.token_hex(4)}"
                                 f"{_suffix(result_file.name)}", result_file, save=False)
        row.save()
        Event.objects.create(case=row.case, action=f"{row.department_name or row.department_code}：{row.get_status_display()}",
                             by=by_name(user), note=f"{row.item_name}" + (f"（{row.reason}）" if row.reason else ""))
        # The applicant hears each department's decision as it is made (intake's notices), not only at issue.
        reporting.report(row.case, "in_approval", note=f"{row.item_name}：{row.get_status_display()}",
                         results={row.item_code: result(row)})
        if not row.case.tasks.filter(status=TaskStatus.PENDING).exists():
            move(row.case, CaseStatus.DECIDED, by="系统", action="各部门审批完毕",
                 note="部分事项不予许可" if row.case.partly_rejected else "全部事项准予许可", decided_at=timezone.now())
    task.refresh_from_db()
    return task


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in (".pdf", ".jpg", ".jpeg", ".png") if lower.endswith(s)), "")


@stored
def record_inspection(case: Case, *, user, tasks: list[Task], date, place: str, findings: str) -> Inspection:
    """One joint site visit for the tasks of several departments, recorded once (联合踏勘)."""
    if case.status != CaseStatus.IN_APPROVAL:
        raise InvalidTransition(case.status, "inspection", "inspections happen during approval")
    if len(tasks) < 1 or any(t.case_id != case.pk for t in tasks):
        raise ValueError("inspection tasks must belong to the case")
    with transaction.atomic():
        inspection = Inspection.objects.create(case=case, date=date, place=place, findings=findings, recorded_by=user)
        inspection.tasks.set(tasks)
        names = "、".join(sorted({t.department_name or t.department_code or t.item_name for t in tasks}))
        Event.objects.create(case=case, action="联合踏勘", by=by_name(user), note=f"{date:%Y-%m-%d} {place}：{names}")
    return inspection


# --------------------------------------------------------------------------- issuing and delivery


@stored
def download_path(case: Case) -> str:
    token = signing.dumps({"t": case.tracking_number}, salt=DOWNLOAD_SALT, compress=True)
    return reverse("window:results", args=[token])


def case_for_token(token: str) -> Case | None:
    try:
        data = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    return Case.objects.filter(tracking_number=data.get("t")).first()


def results(case: Case) -> dict[str, dict]:
    """Per-item outcomes in intake's webhook format."""
    return {t.item_code: result(t) for t in case.tasks.all()}


def result(task: Task) -> dict:
    return {"status": task.status,
            "note": task.reason if task.status == TaskStatus.REJECTED else
            (f"证照编号：{task.licence_number}" if task.licence_number else "准予许可")}


@stored
def issue(case: Case, *, user) -> Case:
    """统一出件: every department's result goes out together, once all of them are in."""
    partly = case.partly_rejected
    now = timezone.now()
    changes: dict = {"issued_at": now, "workdays_taken": workdays.workdays_between(
        timezone.localdate(case.accepted_at), timezone.localdate(now))}
    note = "部分事项不予许可：可按不予许可理由整改后就该事项重新申请，或依法申请行政复议、提起行政诉讼" if partly else "全部事项准予许可"
    if case.delivery == Delivery.PICKUP:
        changes["pickup_code"] = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        move(case, CaseStatus.ISSUED, by=by_name(user), action="统一出件", note=note, **changes)
        reporting.report(case, "partly_rejected" if partly else "completed", note=note, results=results(case),
                         delivery=delivery_info(case))
    return case


def delivery_info(case: Case) -> dict[str, str]:
    """How the applicant collects the results, as intake's webhook "delivery" object."""
    if case.delivery == Delivery.ONLINE:
        return {"download_url": f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{download_path(case)}"}
    if case.delivery == Delivery.PICKUP:
        place = case.accepted_site.site_name if case.accepted_site_id else ""
        return {"pickup_code": case.pickup_code, "pickup_place": f"{place}政务服务中心综合窗口" if place else ""}
    if case.delivery == Delivery.POST and case.waybill_number:
        return {"waybill_number": case.waybill_number}
    return {}


@stored
def deliver(case: Case, *, by: str, note: str, **changes) -> Case:
    with transaction.atomic():
        move(case, CaseStatus.DELIVERED, by=by, action="一次送达", note=note, delivered_at=timezone.now(), **changes)
        reporting.report(case, "delivered", note=note)
    return case


@stored
def ship(case: Case, *, user, waybill: str) -> Case:
    if case.status != CaseStatus.ISSUED or case.delivery != Delivery.POST or not waybill.strip():
        raise InvalidTransition(case.status, "shipped", "only an issued postal case with a waybill ships")
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(waybill_number=waybill.strip(), shipment=Shipment.SHIPPED)
        Event.objects.create(case=case, action="快递寄出", by=by_name(user), note=f"运单号 {waybill.strip()}")
        case.refresh_from_db()
        # Intake's status stays "completed": the report carries only the waybill, for the progress page.
        reporting.report(case, "partly_rejected" if case.partly_rejected else "completed",
                         note=f"结果已寄出，运单号 {case.waybill_number}", delivery=delivery_info(case))
    return case


@stored
def update_shipment(case: Case, *, user, status: str) -> Case:
    if case.status != CaseStatus.ISSUED or not case.waybill_number or status not in (Shipment.SIGNED, Shipment.FAILED):
        raise InvalidTransition(case.status, status, "no shipment to update")
    if status == Shipment.SIGNED:
        return deliver(case, by=by_name(user), note=f"快递已签收（运单号 {case.waybill_number}）", shipment=status)
    Case.objects.filter(pk=case.pk).update(shipment=status)
    Event.objects.create(case=case, action="快递投递失败", by=by_name(user), note=f"运单号 {case.waybill_number}")
    case.refresh_from_db()
    return case


@stored
def record_pickup(case: Case, *, user, code: str) -> Case:
    if case.delivery != Delivery.PICKUP or not case.pickup_code or code.strip() != case.pickup_code:
        raise InvalidTransition(case.status, CaseStatus.DELIVERED, "wrong pickup code")
    return deliver(case, by=by_name(user), note="申请人凭取件码到窗口领取")


@stored
def record_download(case: Case) -> Case:
    """The applicant opened the electronic results: the first time delivers an online case."""
    if case.delivery == Delivery.ONLINE and case.status == CaseStatus.ISSUED:
        return deliver(case, by="申请人", note="申请人已下载电子证照", downloaded_at=timezone.now())
    return case


# --------------------------------------------------------------------------- rating


@stored
def rate(case: Case, *, score: int, comment: str = "") -> Rating:
    """好差评 after delivery, once; a bad rating opens a follow-up for the supervisors."""
    if case.status != CaseStatus.DELIVERED:
        raise InvalidTransition(case.status, "rated", "only a delivered case can be rated")
    if not 1 <= int(score) <= 5:
        raise ValueError("score must be 1..5")
    with transaction.atomic():
        if Rating.objects.filter(case=case).exists():
            raise InvalidTransition(case.status, "rated", "already rated")
        rating = Rating.objects.create(case=case, score=int(score), comment=comment.strip()[:500])
        Event.objects.create(case=case, action="服务评价", by="申请人", note=f"{score}分")
        if rating.score <= BAD_RATING:
            due = workdays.add_workdays(workdays.today(), FOLLOW_UP_WORKDAYS)
            FollowUp.objects.create(rating=rating, due_date=due)
            Event.objects.create(case=case, action="差评转督查整改", by="系统", note=f"{due:%Y-%m-%d}前整改回访")
    return rating


@stored
def close_follow_up(follow_up: FollowUp, *, user, resolution: str) -> FollowUp:
    from .constants import FollowUpStatus

    if follow_up.status != FollowUpStatus.OPEN or not resolution.strip():
        raise InvalidTransition(follow_up.status, FollowUpStatus.CLOSED, "needs an open follow-up and a resolution")
    follow_up.status, follow_up.resolution = FollowUpStatus.CLOSED, resolution.strip()
    follow_up.closed_at, follow_up.closed_by = timezone.now(), user
    follow_up.save()
    Event.objects.create(case=follow_up.rating.case, action="差评整改办结", by=by_name(user), note=resolution.strip())
    return follow_up
