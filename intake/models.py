"""The application (办件), its uploads, drafts, status history, approval tasks, hand-off outbox and access log."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .constants import OutboxState, Status, TaskStatus
from .validators import mask_id_number


class RegionSequence(models.Model):
    """The last tracking-number sequence used in a region on a day (intake.tracking); a row per region and day,
    row-locked while bumped (services)."""

    pk = models.CompositePrimaryKey("region", "day")
    region = models.CharField("行政区划代码", max_length=6)
    day = models.DateField("日期")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号序列"

    def __str__(self):
        return f"{self.region} {self.day}: {self.last}"


class Application(models.Model):
    tracking_number = models.CharField("办件编号", max_length=20, unique=True)
    submission_token = models.CharField("提交令牌", max_length=64, unique=True,
                                        help_text="表单的一次性令牌：重复提交同一表单只产生一个办件。")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="applications", verbose_name="申请人账号")
    theme_code = models.CharField("主题编码", max_length=32, db_index=True)
    theme_title = models.CharField("主题名称", max_length=255)
    site = models.ForeignKey("wagtailcore.Site", null=True, on_delete=models.SET_NULL, verbose_name="站点")
    answers = models.JSONField("情形回答", default=dict)
    values = models.JSONField("表单内容", default=dict)
    form_fields = models.JSONField("表单字段", default=list, help_text="提交时的字段编码、标签与类型。")
    items = models.JSONField("适用事项", default=list, help_text="提交时适用的事项编码与名称。")
    delivery = models.CharField("送达方式", max_length=8)
    phone = models.CharField("联系手机", max_length=11, help_text="查询进度时核对。")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    return_reasons = models.JSONField("退回补正事项", default=list, blank=True)
    return_fix = models.JSONField("退回补正对象", default=dict, blank=True,
                                  help_text="窗口勾选的需补正材料与字段编码：{\"materials\": [...], \"fields\": [...]}。")
    version = models.PositiveSmallIntegerField("版本", default=1, help_text="每次补正后重新提交加一。")
    delivery_info = models.JSONField("送达信息", default=dict, blank=True,
                                     help_text="审批端出件后告知的下载链接、取件码或快递单号。")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    finished_at = models.DateTimeField("办结送达时间", null=True, blank=True)
    uploads_purged_at = models.DateTimeField("材料清理时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.tracking_number} {self.theme_title}"

    @property
    def needs_attention(self) -> bool:
        return self.outbox.filter(state=OutboxState.FAILED).exists()

    @property
    def current_uploads(self):
        """The files the application stands on now: a correction's file replaces the one it corrects."""
        return self.uploads.filter(superseded_at__isnull=True)

    def field_rows(self, masked: bool = True) -> list[tuple[str, str]]:
        """(label, value) of the form, ID numbers masked unless asked otherwise."""
        rows = []
        for f in self.form_fields:
            value = self.values.get(f["code"], "")
            if value and masked and f.get("type") == "id_number":
                value = mask_id_number(value)
            rows.append((f.get("label", f["code"]), value))
        return rows


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history",
                                    verbose_name="办件")
    from_status = models.CharField("原状态", max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=Status.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.CharField("操作方", max_length=100, help_text="申请人、审批系统或工作人员。")
    note = models.TextField("说明", blank=True)
    problems = models.JSONField("需补正内容", default=list, blank=True)

    class Meta:
        verbose_name = "状态记录"
        verbose_name_plural = "状态记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class ApprovalTask(models.Model):
    """One per applicable item while the application is in parallel approval (并联审批)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks",
                                    verbose_name="办件")
    item_code = models.CharField("事项编码", max_length=32)
    item_name = models.CharField("事项名称", max_length=300)
    status = models.CharField("审批结果", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "审批任务"
        verbose_name_plural = "审批任务"
        constraints = [models.UniqueConstraint(fields=["application", "item_code"], name="intake_task_per_item")]

    def __str__(self):
        return f"{self.item_name}: {self.get_status_display()}"


def _random_key() -> str:
    return secrets.token_hex(16)


class Upload(models.Model):
    """An uploaded material. Attached to a form session by its token until the form is submitted."""

    key = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField("表单令牌", max_length=64, db_index=True)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="uploads", verbose_name="办件")
    material_code = models.CharField("材料编码", max_length=64)
    material_name = models.CharField("材料名称", max_length=300)
    original_name = models.CharField("文件名", max_length=120)
    stored_name = models.CharField("存储名", max_length=80, default=_random_key, unique=True, editable=False)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    purged_at = models.DateTimeField("清理时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被补正替换时间", null=True, blank=True,
                                         help_text="补正时上传了新文件：旧文件保留备查，不再随申请推送。")

    class Meta:
        verbose_name = "上传材料"
        verbose_name_plural = "上传材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.material_name}：{self.original_name}"

    @property
    def path(self):
        from .storage import upload_path

        return upload_path(self.stored_name)


class Draft(models.Model):
    """A signed-in applicant's unfinished form, resumable later."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_drafts",
                              verbose_name="申请人账号")
    token = models.CharField("表单令牌", max_length=64, unique=True)
    theme_code = models.CharField("主题编码", max_length=32)
    theme_title = models.CharField("主题名称", max_length=255)
    query = models.TextField("情形回答（查询串）")
    values = models.JSONField("已填内容", default=dict)
    delivery = models.CharField("送达方式", max_length=8, blank=True)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "草稿"
        verbose_name_plural = "草稿"
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.theme_title}（{self.updated_at:%Y-%m-%d}）"


class Outbox(models.Model):
    """A hand-off to the approval backend, written in the same transaction as the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="outbox",
                                    verbose_name="办件")
    backend = models.CharField("对接方式", max_length=32)
    state = models.CharField("状态", max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    locked_until = models.DateTimeField("占用至", null=True, blank=True,
                                        help_text="发送中：到期仍未完成视为中断，可重新发送。")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.backend}: {self.state}"


class AccessLog(models.Model):
    """Every read of an application by staff (personal data)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="access_log",
                                    verbose_name="办件")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="工作人员")
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=32)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "查阅记录"
        verbose_name_plural = "查阅记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.action} {self.at:%Y-%m-%d %H:%M}"
