import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "开发环境：创建本地管理员账号并在屏幕上显示（仅 DEBUG 设置可用，可重复运行）。"

    def handle(self, **options):
        if not settings.DEBUG:
            raise CommandError("只能在开发设置（DEBUG=True）下创建演示管理员。")
        # The password lives only on this machine (gitignored), so a second run can show it again.
        secret_file = Path(settings.BASE_DIR) / ".cache" / "dev-admin-password"
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        if user is None or not secret_file.exists():
            password = secrets.token_urlsafe(12)
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(password)
            if user is None:
                User.objects.create_superuser("admin", "admin@example.org", password)
            else:
                user.set_password(password)
                user.save()
        password = secret_file.read_text().strip()
        self.stdout.write(self.style.SUCCESS(f"本地管理员：用户名 admin  密码 {password}  （仅供本机开发使用）"))
