"""The health log's staff admin in Wagtail (健康 group): town tables only, never a person's record."""

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_mother_child_viewsets():
    """The vaccination schedule and growth reference tables (health.child.staff)."""
    from health.child.staff import MotherChildAdminGroup

    return MotherChildAdminGroup()
