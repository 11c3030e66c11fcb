"""Window views: the clerk's queue and case page, the reviewer's tasks, the supervisor's dashboard and follow-ups,
the signed hand-off endpoint, the applicant's results download and rating page."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from intake.handoff import idempotency_key as expected_key
from intake.ratelimit import rate_limited
from intake.signing import verify
from intake.validators import mask_id_number

from . import calendar, permissions, services, workdays
from .constants import DUE_SOON_WORKDAYS, RUNNING, CaseStatus, Delivery, FollowUpStatus, TaskStatus, Via
from .filters import CaseFilter
from .forms import (
    DashboardForm,
    DecisionForm,
    FollowUpForm,
    InspectionForm,
    LookupForm,
    PickupForm,
    RatingForm,
    ReturnForm,
    ShipForm,
    ShipmentForm,
)
from .models import Case, FollowUp, Rating
from .paging import paginate

log = logging.getLogger("window")
MAX_BODY = 1024 * 1024
# Staff sign in through the CMS login (the site has no separate staff login page).
login_required = login_required(login_url=reverse_lazy("wagtailadmin_login"))


def _flag(case: Case, exceptions) -> str:
    if case.status not in RUNNING:
        return ""
    return calendar.flag(workdays.today(), case.due_date, DUE_SOON_WORKDAYS, exceptions)


def _applicant(case: Case) -> tuple[str, str]:
    """(name, masked ID number) for lists: enough to tell people apart, not to reuse their number."""
    name = next((f["value"] for f in case.fields if f["type"] == "text" and f["value"]), "")
    id_number = next((f["value"] for f in case.fields if f["type"] == "id_number" and f["value"]), "")
    return name, mask_id_number(id_number) if id_number else ""


def _require(ok: bool):
    if not ok:
        raise PermissionDenied


#: services.diff's material changes (stored words) as shown on the case page.
MATERIAL_CHANGES = {"删除": gettext_lazy("删除"), "新增": gettext_lazy("新增"), "重新上传": gettext_lazy("重新上传")}


# --------------------------------------------------------------------------- clerk and supervisor


@login_required
def queue(request):
    _require(bool(permissions.clerk_sites(request.user)) or permissions.is_supervisor(request.user))
    cases = permissions.visible_cases(request.user)
    f = CaseFilter(request.GET or None, queryset=cases, sites=permissions.visible_sites(request.user),
                   site_ids=permissions.case_site_ids(request.user))
    page, query = paginate(request, f.qs.order_by("due_date", "-received_at", "-pk"))
    exceptions = workdays.exceptions()
    rows = [{"case": c, "flag": _flag(c, exceptions), "applicant": _applicant(c)} for c in page]
    return render(request, "window/queue.html", {"filter": f, "rows": rows, "page_obj": page, "query": query})


def _checklist_url(case: Case) -> str:
    """The 一次告知单 the application came from: the theme page's checklist with the same answers."""
    from wagtail.models import Site

    from guides.queries import site_theme
    from screening.engine import to_query
    from screening.themes import screening_for

    site = case.site or Site.objects.filter(is_default_site=True).first()
    # A window-only deployment holds no catalogue: then there is no checklist to link to.
    page = site_theme(site, case.theme_code) if site is not None else None
    if page is None:
        return ""
    query = urlencode(to_query(screening_for(page).theme, case.answers))
    return f"{page.get_url()}checklist/?{query}"


@login_required
def case_detail(request, tracking):
    case = get_object_or_404(permissions.visible_cases(request.user), tracking_number=tracking)
    can_act = permissions.workable_cases(request.user).filter(pk=case.pk).exists()
    versions = list(case.versions.all())
    changes = services.diff(versions[-2].document, versions[-1].document) if len(versions) > 1 else None
    for m in (changes or {}).get("materials", []):
        m["change"] = MATERIAL_CHANGES.get(m["change"], m["change"])
    inspections = list(case.inspections.prefetch_related("tasks"))
    for i in inspections:
        i.departments = gettext("、").join(t.department_name or t.item_name for t in i.tasks.all())
    download = services.download_path(case) if case.status in (CaseStatus.ISSUED, CaseStatus.DELIVERED) else ""
    return render(request, "window/case_detail.html", {
        "case": case, "can_act": can_act, "tasks": case.tasks.all(), "events": case.events.all(),
        "inspections": inspections, "versions": versions, "changes": changes,
        "checklist_url": _checklist_url(case), "flag": _flag(case, workdays.exceptions()),
        "return_form": ReturnForm(case=case), "inspection_form": InspectionForm(case=case),
        "ship_form": ShipForm(), "shipment_form": ShipmentForm(), "pickup_form": PickupForm(),
        "download_path": download,
        "rating": Rating.objects.filter(case=case).first(), "Status": CaseStatus, "Delivery": Delivery,
    })


@login_required
@require_POST
def case_action(request, tracking, action):
    case = get_object_or_404(permissions.workable_cases(request.user), tracking_number=tracking)
    user = request.user
    try:
        if action == "accept":
            services.accept(case, user=user, site=permissions.window_site(user, case))
            messages.success(request, gettext("已受理，并已同步分送各审批部门。"))
        elif action == "return":
            form = ReturnForm(request.POST, case=case)
            if not form.is_valid():
                messages.error(request, gettext("；").join(form.non_field_errors()) or gettext("请列明需要补正的内容。"))
            else:
                services.return_for_correction(case, user=user, problems=form.problems(), fix=form.fix())
                messages.success(request, gettext("已退回补正，并一次性告知申请人全部补正内容。"))
        elif action == "inspect":
            form = InspectionForm(request.POST, case=case)
            if form.is_valid():
                tasks = list(case.tasks.filter(pk__in=form.cleaned_data["tasks"]))
                services.record_inspection(case, user=user, tasks=tasks, date=form.cleaned_data["date"],
                                           place=form.cleaned_data["place"], findings=form.cleaned_data["findings"])
                messages.success(request, gettext("联合踏勘已记录。"))
            else:
                messages.error(request, gettext("踏勘记录不完整，请选择部门并填写日期、地点和结论。"))
        elif action == "issue":
            services.issue(case, user=user)
            messages.success(request, gettext("已统一出件。"))
        elif action == "ship":
            form = ShipForm(request.POST)
            if form.is_valid():
                services.ship(case, user=user, waybill=form.cleaned_data["waybill"])
                messages.success(request, gettext("已登记快递寄出。"))
        elif action == "shipment":
            form = ShipmentForm(request.POST)
            if form.is_valid():
                services.update_shipment(case, user=user, status=form.cleaned_data["status"])
                messages.success(request, gettext("已更新快递状态。"))
        elif action == "pickup":
            form = PickupForm(request.POST)
            if form.is_valid():
                services.record_pickup(case, user=user, code=form.cleaned_data["code"])
                messages.success(request, gettext("已登记申请人领取。"))
        else:
            raise Http404
    except services.InvalidTransition as exc:
        log.info("refused %s on %s: %s", action, tracking, exc)
        messages.error(request, gettext("当前状态下不能进行该操作，或所填信息不正确。"))
        return render(request, "window/refused.html", {"case": case, "action": action}, status=409)
    return HttpResponseRedirect(reverse("window:case", args=[tracking]))


# --------------------------------------------------------------------------- reviewer


@login_required
def task_list(request):
    _require(bool(permissions.departments(request.user)))
    tasks = permissions.visible_tasks(request.user).order_by("status", "due_date", "pk")
    status = request.GET.get("status", TaskStatus.PENDING)
    if status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    page, query = paginate(request, tasks)
    exceptions = workdays.exceptions()
    rows = [{"task": t, "flag": _flag(t.case, exceptions), "applicant": _applicant(t.case)} for t in page]
    return render(request, "window/task_list.html", {"rows": rows, "status": status, "TaskStatus": TaskStatus,
                                                     "page_obj": page, "query": query})


@login_required
def task_detail(request, pk):
    task = get_object_or_404(permissions.visible_tasks(request.user), pk=pk)
    form = DecisionForm()
    if request.method == "POST":
        form = DecisionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decide(task, user=request.user, approve=data["decision"] == "approve",
                                licence_number=data["licence_number"], result_file=data["result_file"],
                                reason=data["reason"])
            except services.InvalidTransition:
                return render(request, "window/refused.html", {"case": task.case, "action": "decide"}, status=409)
            messages.success(request, gettext("审批结果已提交。"))
            return HttpResponseRedirect(reverse("window:task", args=[task.pk]))
    return render(request, "window/task_detail.html", {
        "task": task, "case": task.case, "form": form, "inspections": task.inspections.all(),
        "others": task.case.tasks.exclude(pk=task.pk), "decidable": task.status == TaskStatus.PENDING
        and task.case.status == CaseStatus.IN_APPROVAL})


# --------------------------------------------------------------------------- supervisor


def _theme_figures() -> dict[str, dict]:
    """Before/after figures per theme code, from the original (city, default-language) theme pages."""
    from guides.models import ThemePage

    return {p["code"]: p for p in ThemePage.objects.filter(live=True, alias_of__isnull=True).values(
        "code", "days_before", "days_after", "visits_before", "visits_after")}


def dashboard_data(cases) -> dict:
    """Figures per (site, theme), counted by the database: one grouped query, whatever the number of cases."""
    today = workdays.today()
    figures = _theme_figures()
    late = Q(due_date__isnull=False) & (Q(status__in=RUNNING, due_date__lt=today)
                                        | Q(issued_at__date__gt=F("due_date")))
    finished = Q(workdays_taken__isnull=False)
    grouped = cases.order_by().values("site__site_name", "theme_code", "theme_title").annotate(
        count=Count("pk"), overdue=Count("pk", filter=late), finished=Count("pk", filter=finished),
        taken=Sum("workdays_taken"), promised_sum=Sum("promised_days", filter=finished),
        ratings=Count("rating"), score_sum=Sum("rating__score"),
        **{f"status_{s}": Count("pk", filter=Q(status=s)) for s in CaseStatus.values})
    groups: dict[tuple, Counter] = defaultdict(Counter)
    for g in grouped:
        # One theme title may span theme codes (a county's copy): their figures add up under the title.
        key = (g["site__site_name"] or gettext("未注明站点"), g["theme_title"])
        f = figures.get(g["theme_code"])
        groups[key].update({k: g[k] or 0 for k in g if k not in ("site__site_name", "theme_code", "theme_title")})
        if f:
            groups[key]["visits_saved"] += g["count"] * (f["visits_before"] - f["visits_after"])
            groups[key]["days_saved"] += g["count"] * (f["days_before"] - f["days_after"])
    rows = []
    for (site, theme), g in sorted(groups.items()):
        finished_n, ratings = g["finished"], g["ratings"]
        rows.append({"site": site, "theme": theme, "count": g["count"], "overdue": g["overdue"],
                     "statuses": [(CaseStatus(s).label, g[f"status_{s}"]) for s in CaseStatus.values],
                     "avg_days": round(g["taken"] / finished_n, 1) if finished_n else None,
                     "promised": round(g["promised_sum"] / finished_n, 1) if finished_n else None,
                     "visits_saved": g["visits_saved"], "days_saved": g["days_saved"], "ratings": ratings,
                     "avg_score": round(g["score_sum"] / ratings, 1) if ratings else None})
    biggest = max([r["count"] for r in rows] + [1])
    scale = max([max(r["avg_days"] or 0, r["promised"] or 0) for r in rows] + [1])
    for r in rows:
        r["count_pct"] = round(100 * r["count"] / biggest)
        r["avg_pct"] = round(100 * (r["avg_days"] or 0) / scale)
        r["promised_pct"] = round(100 * (r["promised"] or 0) / scale)
        r["score_pct"] = round(20 * (r["avg_score"] or 0))
        r["status_bars"] = [(label, n, round(100 * n / r["count"])) for label, n in r["statuses"] if n]
    return {"rows": rows, "total": sum(r["count"] for r in rows), "overdue": sum(r["overdue"] for r in rows),
            "visits_saved": sum(r["visits_saved"] for r in rows), "days_saved": sum(r["days_saved"] for r in rows)}


DASHBOARD_DAYS = 30


def dashboard_range(form) -> tuple:
    """(first day, last day) of the dashboard: the form's dates, by default the last DASHBOARD_DAYS days."""
    today = workdays.today()
    data = form.cleaned_data if form.is_valid() else {}
    end = data.get("end") or today
    return data.get("start") or end - timedelta(days=DASHBOARD_DAYS - 1), end


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
def dashboard(request):
    _require(permissions.is_supervisor(request.user))
    sites = permissions.visible_sites(request.user)
    form = DashboardForm(request.GET or None, sites=sites)
    start, end = dashboard_range(form)
    # A range on the stored instant (local midnights), so the received_at index serves it.
    cases = permissions.visible_cases(request.user).filter(
        received_at__gte=_midnight(start), received_at__lt=_midnight(end + timedelta(days=1)))
    site = form.cleaned_data.get("site") if form.is_valid() else None
    if site is not None:
        cases = cases.filter(site=site)
    return render(request, "window/dashboard.html", {**dashboard_data(cases), "form": form, "start": start,
                                                     "end": end})


@login_required
def follow_ups(request):
    _require(permissions.is_supervisor(request.user))
    items = FollowUp.objects.select_related("rating__case").order_by("status", "due_date", "pk")
    page, query = paginate(request, items)
    today = workdays.today()
    return render(request, "window/follow_ups.html", {
        "rows": [{"f": f, "overdue": f.status == FollowUpStatus.OPEN and f.due_date < today} for f in page],
        "form": FollowUpForm(), "page_obj": page, "query": query})


@login_required
@require_POST
def follow_up_close(request, pk):
    _require(permissions.is_supervisor(request.user))
    follow_up = get_object_or_404(FollowUp, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写整改回访情况。"))
    else:
        try:
            services.close_follow_up(follow_up, user=request.user, resolution=form.cleaned_data["resolution"])
            messages.success(request, gettext("差评整改已办结。"))
        except services.InvalidTransition:
            messages.error(request, gettext("该整改已办结。"))
    return HttpResponseRedirect(reverse("window:follow-ups"))


# --------------------------------------------------------------------------- machine and public


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not by a browser session
@require_POST
def handoff(request):
    """POST /window/handoff/: intake's http backend (docs/handoff.schema.json, X-Intake-Signature, Idempotency-Key).
    200 taken (or already had it); 403 bad signature; 400 malformed; 422 conflicts with the case's state."""
    body = request.body[: MAX_BODY + 1]
    secret = getattr(settings, "WINDOW_HANDOFF_SECRET", "") or settings.INTAKE_HANDOFF_SECRET
    if not verify(body, secret, request.headers.get("X-Intake-Signature")):
        log.warning("hand-off with a bad signature from %s", request.META.get("REMOTE_ADDR"))
        return JsonResponse({"error": "bad signature"}, status=403)
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=400)
    try:
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "malformed body"}, status=400)
    key = request.headers.get("Idempotency-Key", "")
    if not key or key != expected_key(document):
        return JsonResponse({"error": "Idempotency-Key must be the tracking number (-v<version> after a return)"},
                            status=400)
    try:
        case, outcome = services.receive(document, via=Via.HTTP)
    except services.DocumentError as exc:
        status = 422 if "resubmitted" in str(exc) else 400
        return JsonResponse({"error": "document refused", "detail": str(exc)}, status=status)
    return JsonResponse({"reference": case.tracking_number, "outcome": outcome, "duplicate": outcome == "duplicate"},
                        status=201 if outcome == "created" else 200)


def results(request, token):
    """The applicant's electronic results behind a signed link; the first visit delivers an online case."""
    case = services.case_for_token(token)
    if case is None or case.status not in (CaseStatus.ISSUED, CaseStatus.DELIVERED):
        raise Http404
    case = services.record_download(case)
    return render(request, "window/results.html", {"case": case, "tasks": case.tasks.all(), "token": token})


def result_file(request, token, pk):
    case = services.case_for_token(token)
    if case is None or case.status not in (CaseStatus.ISSUED, CaseStatus.DELIVERED):
        raise Http404
    task = get_object_or_404(case.tasks.exclude(result_file=""), pk=pk, status=TaskStatus.APPROVED)
    return FileResponse(task.result_file.open("rb"), as_attachment=True, filename=task.result_name or "result")


def rate(request):
    """好差评: the applicant finds the case by tracking number and phone (like intake's progress page, and limited
    per client IP the same way: settings.WINDOW_RATING_RATE)."""
    if request.method == "POST" and rate_limited(request, "window:rate", settings.WINDOW_RATING_RATE):
        response = TemplateResponse(request, "window/rate.html", {
            "lookup": LookupForm(request.POST, prefix="q"), "limited": True,
            "retry_minutes": max(1, settings.WINDOW_RATING_RATE[1] // 60)}, status=429)
        response["Retry-After"] = str(settings.WINDOW_RATING_RATE[1])
        return response
    lookup = LookupForm(request.POST or None, prefix="q")
    case, form, done, not_found = None, RatingForm(prefix="r"), False, False
    if request.method == "POST" and lookup.is_valid():
        case = Case.objects.filter(tracking_number=lookup.cleaned_data["tracking_number"].strip(),
                                   contact_phone=lookup.cleaned_data["phone"].strip()).first()
        not_found = case is None
        if case is not None and "r-score" in request.POST:
            form = RatingForm(request.POST, prefix="r")
            if form.is_valid() and case.status == CaseStatus.DELIVERED and not hasattr(case, "rating"):
                services.rate(case, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
                done = True
    if case is not None:
        case = Case.objects.select_related("rating").get(pk=case.pk)
    return render(request, "window/rate.html", {"lookup": lookup, "case": case, "form": form, "done": done,
                                                "not_found": not_found,
                                                "rated": case is not None and hasattr(case, "rating")})
