"""Demo data of other apps for ``load_demo``, registered by each app in its ``AppConfig.ready``::

    from portal import demo

    demo.register("safety", load_for_portal)

A loader gets the demo people ``load_demo`` made and returns the lines it prints at the end (how
to try the app). ``portal`` never imports the apps that register here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.models import HouseholdMember, User


@dataclass(frozen=True)
class DemoPeople:
    """Who the demo is about: the resident, the 広報 staff member and the resident's child."""

    resident: User
    staff: User
    child: HouseholdMember


Loader = Callable[[DemoPeople], list[str]]

_loaders: dict[str, tuple[int, Loader]] = {}


def register(key: str, loader: Loader, *, order: int = 100) -> None:
    """Add an app's demo loader; registering the same key again replaces it."""
    _loaders[key] = (order, loader)


def loaders() -> list[Loader]:
    """The registered loaders, in order."""
    return [loader for _order, loader in sorted(_loaders.values(), key=lambda item: item[0])]
