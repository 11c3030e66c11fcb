"""Development only: give the local admin every window role, so `make run` shows the whole 综合窗口 path."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from guides.models import Department
from window.constants import Role
from window.models import WindowRole


class Command(BaseCommand):
    help = "开发环境：为本地管理员 admin 设置城市综合窗口受理、全部部门审批和督查角色（可重复运行）。"

    def handle(self, **options):
        if not settings.DEBUG:
            raise CommandError("只能在开发设置（DEBUG=True）下设置演示角色。")
        user = get_user_model().objects.filter(username="admin").first()
        if user is None:
            raise CommandError("没有 admin 账号：请先运行 ensure_dev_admin。")
        city = Site.objects.filter(is_default_site=True).first()
        wanted = [(Role.CLERK, city, ""), (Role.SUPERVISOR, None, "")]
        wanted += [(Role.REVIEWER, None, code) for code in Department.objects.values_list("code", flat=True)]
        created = sum(WindowRole.objects.get_or_create(user=user, role=role, site=site, department_code=code)[1]
                      for role, site, code in wanted)
        self.stdout.write(f"admin 的窗口角色：新建 {created}，共 {len(wanted)}。综合窗口：/window/")
