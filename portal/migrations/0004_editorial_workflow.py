"""Every page change is approved by 広報 before it is published.

One workflow, 「広報の承認」, with one step: a group approval by 広報. It is assigned to the
root page, so it applies to the whole site. Wagtail's own first migration made a
"Moderators approval" workflow on the root for its sample "Moderators" group; that workflow is
renamed and handed to 広報 rather than left beside ours.

広報 keep (from 0002) the page permissions on the root that an approver needs: add, change,
publish, lock, unlock and bulk delete. Wagtail 7.4 has no separate "view revisions"
permission: whoever may edit a page may see its history.
"""

from django.db import migrations

from portal.staff import APPROVAL_WORKFLOW, WEB, ensure_permissions, permission

WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"
WAGTAIL_MODERATORS = "Moderators"
WEB_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"]


def set_up_workflow(apps, schema_editor):
    ensure_permissions(apps)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    web, _created = Group.objects.get_or_create(name=WEB)
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in WEB_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=web, page=root, permission=permission(apps, "wagtailcore", codename)
            )

    workflow = (
        Workflow.objects.filter(name=APPROVAL_WORKFLOW).first()
        or Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).first()
        or Workflow.objects.create(name=APPROVAL_WORKFLOW, active=True)
    )
    workflow.name = APPROVAL_WORKFLOW
    workflow.active = True
    workflow.save()

    # Exactly one step: 広報's approval. Wagtail's "Moderators approval" task becomes it.
    task_ids = list(WorkflowTask.objects.filter(workflow=workflow).values_list("task_id", flat=True))
    task = GroupApprovalTask.objects.filter(pk__in=task_ids).order_by("pk").first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=APPROVAL_WORKFLOW,
            active=True,
            content_type=ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")[0],
        )
    task.name = APPROVAL_WORKFLOW
    task.active = True
    task.save()
    task.groups.set([web])
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def restore_wagtail_default(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    workflow = Workflow.objects.filter(name=APPROVAL_WORKFLOW).first()
    if workflow is None:
        return
    tasks = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow)
    moderators = Group.objects.filter(name=WAGTAIL_MODERATORS).first()
    if moderators is None:
        tasks.delete()
        workflow.delete()
        return
    for task in tasks:
        task.name = WAGTAIL_DEFAULT_WORKFLOW
        task.save()
        task.groups.set([moderators])
    workflow.name = WAGTAIL_DEFAULT_WORKFLOW
    workflow.save()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_access_log"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(set_up_workflow, restore_wagtail_default)]
