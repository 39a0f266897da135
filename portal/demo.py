"""The demo a laptop gets from ``manage.py load_demo``: portal makes the people, each app adds its part.

An app takes part by naming a function in its ``AppConfig``::

    demo_loader = "facilities.demo.load_demo"

``load_demo`` calls these in ``INSTALLED_APPS`` order with the demo :class:`DemoPeople`, inside
its transaction; each returns the lines it wants printed after the logins. So portal knows no
service app, and a new app brings its demo without touching portal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import import_string

from portal.models import HouseholdMember, User


@dataclass(frozen=True)
class DemoPeople:
    resident: User  #: the demo resident, living in a district, with a household
    staff: User  #: the demo staff member (広報)
    child: HouseholdMember  #: the resident's child


DemoLoader = Callable[[DemoPeople], list[str]]


def app_demo_loaders() -> list[DemoLoader]:
    """Every installed app's demo loader, in INSTALLED_APPS order."""
    return [
        import_string(config.demo_loader) for config in apps.get_app_configs() if getattr(config, "demo_loader", "")
    ]
