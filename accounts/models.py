"""Who a local user is at an identity provider: the link from (issuer, subject) and the verified claims."""

from django.conf import settings
from django.db import models

from .constants import Audience, SubjectType


class Identity(models.Model):
    """One account at one provider, linked to one local user; its claims as of the latest sign-in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities",
                             verbose_name="本地账号")
    audience = models.CharField("用户类型", max_length=8, choices=Audience.choices)
    issuer = models.URLField("身份提供方", max_length=300)
    subject = models.CharField("提供方用户标识", max_length=255)
    name = models.CharField("姓名", max_length=100, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True)
    subject_type = models.CharField("主体类型", max_length=8, choices=SubjectType.choices, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    company_name = models.CharField("企业名称", max_length=200, blank=True)
    level_of_assurance = models.CharField("认证等级（acr）", max_length=100, blank=True)
    created_at = models.DateTimeField("首次登录", auto_now_add=True)
    signed_in_at = models.DateTimeField("最近登录")

    class Meta:
        verbose_name = "统一身份"
        verbose_name_plural = "统一身份"
        constraints = [models.UniqueConstraint(fields=["audience", "issuer", "subject"], name="identity_unique")]

    def __str__(self):
        # No ID number here: str() ends up in logs and admin lists.
        return f"{self.get_audience_display()} {self.company_name or self.name or self.subject}"
