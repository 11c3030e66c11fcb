"""Create the editorial groups, their permissions and the review workflows for every site (idempotent)."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import GroupApprovalTask, GroupPagePermission, Site, Workflow, WorkflowPage, WorkflowTask

from counties.constants import Role
from counties.models import SiteRole, ThemeOverride
from guides.models import Department, FormField, Material, ServiceItem, ServiceLocation, ThemeCategory

# The shared registries are the city's to keep; counties manage only their own offices and overrides.
CITY_SNIPPETS = (ServiceItem, Department, Material, FormField, ThemeCategory)
SITE_SNIPPETS = (ServiceLocation, ThemeOverride)
PAGE_PERMISSIONS = {Role.EDITOR: ("add_page", "change_page"),
                    Role.REVIEWER: ("add_page", "change_page", "publish_page")}


def _model_permissions(models, actions):
    perms = []
    for model in models:
        ct = ContentType.objects.get_for_model(model)
        perms += [Permission.objects.get(content_type=ct, codename=f"{a}_{model._meta.model_name}") for a in actions]
    return perms


class Command(BaseCommand):
    help = "创建市级与各县的编辑、审核用户组、权限和审核流程（可重复运行）。"

    @transaction.atomic
    def handle(self, **options):
        access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        for site in Site.objects.select_related("root_page").order_by("-is_default_site", "hostname"):
            city = site.is_default_site
            groups = {}
            for role in (Role.EDITOR, Role.REVIEWER):
                name = f"{site.site_name}{'编辑' if role == Role.EDITOR else '审核'}"
                group, _ = Group.objects.get_or_create(name=name)
                SiteRole.objects.update_or_create(group=group, defaults={"site": site, "role": role})
                actions = ("add", "change", "delete", "view") if role == Role.REVIEWER else ("add", "change", "view")
                perms = [access_admin, *_model_permissions(SITE_SNIPPETS, actions)]
                if city:
                    perms += _model_permissions(CITY_SNIPPETS, actions)
                group.permissions.set(perms)
                for codename in PAGE_PERMISSIONS[role]:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=site.root_page,
                        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
                    )
                groups[role] = group
            task, _ = GroupApprovalTask.objects.get_or_create(name=f"{site.site_name}审核")
            task.groups.set([groups[Role.REVIEWER]])
            workflow, _ = Workflow.objects.get_or_create(name=f"{site.site_name}发布审核")
            WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
            WorkflowPage.objects.update_or_create(page=site.root_page, defaults={"workflow": workflow})
        self.stdout.write(self.style.SUCCESS(f"已设置 {Site.objects.count()} 个站点的编辑、审核用户组与审核流程。"))
