"""How to reach an applicant (their contact and language) and every message sent to them, one row each."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from intake.validators import mask_phone

from .constants import Channel, Event, State


class Contact(models.Model):
    """Taken when the application is submitted: where its notices go, and in which language."""

    application = models.OneToOneField("intake.Application", on_delete=models.CASCADE, related_name="contact",
                                       verbose_name="办件")
    phone = models.CharField("手机号", max_length=11, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    language = models.CharField("语言", max_length=10, default="zh-hans")

    class Meta:
        verbose_name = "通知联系方式"
        verbose_name_plural = "通知联系方式"

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.language}"


class Notice(models.Model):
    """One message on one channel. ``key`` makes each milestone's message unique: a repeated status report, a
    retried task or a second worker never creates or sends it twice."""

    uid = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False,
                           help_text="随消息发给网关（out_id）与邮件（Message-ID），重发时对方可据此去重。")
    key = models.CharField("唯一键", max_length=120, unique=True)
    application = models.ForeignKey("intake.Application", on_delete=models.CASCADE, related_name="notices",
                                    verbose_name="办件", null=True, blank=True, help_text="验证码短信没有办件。")
    event = models.CharField("节点", max_length=16, choices=Event.choices)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    backend = models.CharField("发送方式", max_length=32)
    recipient = models.CharField("接收方", max_length=254)
    language = models.CharField("语言", max_length=10)
    template_code = models.CharField("短信模板编号", max_length=64, blank=True)
    params = models.JSONField("模板参数", default=dict, blank=True)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    locked_until = models.DateTimeField("占用至", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    provider_id = models.CharField("网关消息编号", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_event_display()} {self.get_channel_display()} → {self.masked_recipient}"

    @property
    def masked_recipient(self) -> str:
        if self.channel == Channel.SMS:
            return mask_phone(self.recipient)
        name, _, domain = self.recipient.partition("@")
        return f"{name[:1]}***@{domain}"
