"""Create the town's staff groups with the least permissions each needs."""

from django.db import migrations

from portal.staff import ALL_GROUPS, SAFETY, WEB, ensure_permissions, permission

PAGE_ACTIONS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]
IMAGE_ACTIONS = ["add_image", "change_image", "choose_image", "delete_image"]
DOCUMENT_ACTIONS = ["add_document", "change_document", "choose_document", "delete_document"]


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    access_admin = permission(apps, "wagtailadmin", "access_admin")
    groups = {}
    for name in ALL_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        groups[name] = group

    web = groups[WEB]
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        for codename in PAGE_ACTIONS:
            GroupPagePermission.objects.get_or_create(
                group=web, page=root_page, permission=permission(apps, "wagtailcore", codename)
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codenames in (("wagtailimages", IMAGE_ACTIONS), ("wagtaildocs", DOCUMENT_ACTIONS)):
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=web, collection=root_collection, permission=permission(apps, app_label, codename)
                )
    for codename in ["add_redirect", "change_redirect", "delete_redirect"]:
        web.permissions.add(permission(apps, "wagtailredirects", codename))

    # Safety-mail staff read delivery reports of the outbox; nobody else sees mail bodies.
    groups[SAFETY].permissions.add(permission(apps, "notifications", "view_outboundmail"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ALL_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("notifications", "0001_initial"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
