"""The window's case (办件 as the window handles it), its versions, department tasks, joint inspections, the
timeline, ratings and follow-ups, staff roles and the working-day calendar's exceptions."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from .constants import CaseStatus, Delivery, FollowUpStatus, Role, Shipment, TaskStatus, Via


class _ResultStorage(LazyObject):
    # Result files carry personal data: kept beside intake's private uploads, never under the public media root.
    def _setup(self):
        self._wrapped = FileSystemStorage(location=Path(settings.INTAKE_STORAGE_DIR) / "window-results")


result_storage = _ResultStorage()


def _result_storage():
    return result_storage


class WorkdayException(index.Indexed, models.Model):
    """A date that breaks the Monday–Friday rule: a public holiday, or a weekend made a working day (调休)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否上班", help_text="勾选：调休上班日；不勾选：法定节假日（休息）。")
    note = models.CharField("说明", max_length=100, blank=True)

    panels = [FieldPanel("date"), FieldPanel("is_workday"), FieldPanel("note")]
    search_fields = [index.SearchField("note"), index.FilterField("date")]

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'} {self.note}".strip()


class WindowRole(models.Model):
    """What a staff member may do in the window: a clerk at one site, a reviewer of one department, a supervisor."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="window_roles",
                             verbose_name="工作人员")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.CASCADE,
                             verbose_name="窗口所在站点", help_text="综合窗口受理人员必填：市级站点的窗口可受理全市办件。")
    department_code = models.CharField("部门编码", max_length=16, blank=True, help_text="部门审批人员必填。")

    panels = [FieldPanel("user"), FieldPanel("role"), FieldPanel("site"), FieldPanel("department_code")]

    class Meta:
        verbose_name = "窗口角色"
        verbose_name_plural = "窗口角色"
        constraints = [models.UniqueConstraint(fields=["user", "role", "site", "department_code"],
                                               name="window_role_unique")]

    def __str__(self):
        where = self.site.site_name if self.site_id else self.department_code
        return f"{self.user} {self.get_role_display()} {where}".strip()


class Case(models.Model):
    tracking_number = models.CharField("办件编号", max_length=20, unique=True)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="window_cases", verbose_name="申请来源站点")
    theme_code = models.CharField("主题编码", max_length=32, db_index=True)
    theme_title = models.CharField("主题名称", max_length=255)
    status = models.CharField("状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED,
                              db_index=True)
    version = models.PositiveSmallIntegerField("当前版本", default=1)
    document = models.JSONField("当前申请内容", default=dict, help_text="最新一版交接文档。")
    delivery = models.CharField("送达方式", max_length=8, choices=Delivery.choices, blank=True)
    contact_phone = models.CharField("联系手机", max_length=11)
    submitted_at = models.DateTimeField("提交时间")
    received_at = models.DateTimeField("接收时间", default=timezone.now)
    problems = models.JSONField("一次性告知补正内容", default=list, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="受理窗口（全市通办）")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="受理人")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0)
    due_date = models.DateField("承诺办结日期", null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField("审批完毕时间", null=True, blank=True)
    issued_at = models.DateTimeField("出件时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    waybill_number = models.CharField("快递单号", max_length=40, blank=True)
    shipment = models.CharField("快递状态", max_length=16, choices=Shipment.choices, blank=True)
    pickup_code = models.CharField("取件码", max_length=6, blank=True)
    downloaded_at = models.DateTimeField("首次下载时间", null=True, blank=True)
    # Fixed when the results go out, so the dashboard averages it in the database instead of walking the calendar.
    workdays_taken = models.PositiveSmallIntegerField("办理用时（工作日）", null=True, blank=True)

    class Meta:
        verbose_name = "窗口办件"
        verbose_name_plural = "窗口办件"
        ordering = ["due_date", "-received_at", "-pk"]
        # The queue's order (first page without a sort) and the dashboard's date range.
        indexes = [models.Index(fields=["due_date", "-received_at", "-id"], name="window_case_queue"),
                   models.Index(fields=["received_at"], name="window_case_received")]

    def __str__(self):
        return f"{self.tracking_number} {self.theme_title}"

    @property
    def fields(self) -> list[dict]:
        return self.document.get("fields", [])

    @property
    def materials(self) -> list[dict]:
        return self.document.get("materials", [])

    @property
    def answers(self) -> dict:
        return self.document.get("answers", {})

    @property
    def partly_rejected(self) -> bool:
        return self.tasks.filter(status=TaskStatus.REJECTED).exists()


class CaseVersion(models.Model):
    """Each hand-off document received for a case: the first submission and every corrected resubmission."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="versions", verbose_name="办件")
    number = models.PositiveSmallIntegerField("版本")
    document = models.JSONField("交接文档")
    digest = models.CharField("内容摘要", max_length=64)
    via = models.CharField("来源", max_length=16, choices=Via.choices)
    received_at = models.DateTimeField("接收时间", default=timezone.now)

    class Meta:
        verbose_name = "申请版本"
        verbose_name_plural = "申请版本"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="window_version_number"),
                       models.UniqueConstraint(fields=["case", "digest"], name="window_version_digest")]

    def __str__(self):
        return f"{self.case.tracking_number} v{self.number}"


class Task(models.Model):
    """One applicable item's approval by its department, sent to all departments at once on acceptance (一次联办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name="办件")
    item_code = models.CharField("事项编码", max_length=32)
    item_name = models.CharField("事项名称", max_length=300)
    department_code = models.CharField("部门编码", max_length=16, db_index=True)
    department_name = models.CharField("部门名称", max_length=100, blank=True)
    status = models.CharField("审批结果", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING,
                              db_index=True)
    licence_number = models.CharField("证照编号", max_length=64, blank=True)
    result_file = models.FileField("结果文件", storage=_result_storage, upload_to="%Y/%m/", blank=True)
    result_name = models.CharField("结果文件名", max_length=120, blank=True)
    reason = models.TextField("不予许可理由", blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="审批人")
    # The case's deadline, copied on acceptance: the department's list sorts by it from one index, without a join.
    due_date = models.DateField("承诺办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "部门审批任务"
        verbose_name_plural = "部门审批任务"
        ordering = ["case", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "item_code"], name="window_task_per_item")]
        indexes = [models.Index(fields=["department_code", "status", "due_date", "id"], name="window_task_list")]

    def __str__(self):
        return f"{self.case.tracking_number} {self.item_name}"


class Inspection(models.Model):
    """A joint site inspection (联合踏勘): one visit recorded once for the tasks of several departments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inspections", verbose_name="办件")
    tasks = models.ManyToManyField(Task, related_name="inspections", verbose_name="涉及审批任务")
    date = models.DateField("踏勘日期")
    place = models.CharField("踏勘地点", max_length=200)
    findings = models.TextField("踏勘结论")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "联合踏勘"
        verbose_name_plural = "联合踏勘"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.case.tracking_number} {self.date}"


class Event(models.Model):
    """The case's timeline: every step the window took, shown to staff in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name="办件")
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("环节", max_length=40)
    by = models.CharField("操作方", max_length=100)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case.tracking_number} {self.action}"


class Rating(models.Model):
    """The applicant's service rating (好差评) after delivery: one per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating", verbose_name="办件")
    score = models.PositiveSmallIntegerField("评分", choices=[(i, f"{i}分") for i in range(1, 6)])
    comment = models.TextField("评价内容", blank=True, max_length=500)
    at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "服务评价"
        verbose_name_plural = "服务评价"

    def __str__(self):
        return f"{self.case.tracking_number} {self.score}"


class FollowUp(models.Model):
    """A bad rating's follow-up (差评整改), owned by the supervisors, due in 15 working days."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="follow_up", verbose_name="评价")
    due_date = models.DateField("整改期限")
    status = models.CharField("状态", max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    resolution = models.TextField("整改回访情况", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="办结人")

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["status", "due_date"]

    def __str__(self):
        return f"{self.rating.case.tracking_number} {self.get_status_display()}"
