"""The resident dashboard (/my/) is made of panels that apps register.

An app adds its panel in its ``AppConfig.ready``::

    from portal.dashboard import Panel, register

    register(Panel(key="facilities", title=_("Reservations"), template="facilities/panel.html",
                   get_context=lambda request: {...}, order=20))

``portal`` never imports the other apps: a new service plugs in without editing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


def _always(request: HttpRequest) -> bool:
    return True


def _no_context(request: HttpRequest) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    order: int = 100
    get_context: Callable[[HttpRequest], dict[str, Any]] = field(default=_no_context)
    is_visible: Callable[[HttpRequest], bool] = field(default=_always)


@dataclass
class RenderedPanel:
    panel: Panel
    context: dict[str, Any]


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> Panel:
        """Add a panel; registering the same key again replaces it (safe on reload)."""
        self._panels[panel.key] = panel
        return panel

    def unregister(self, key: str) -> None:
        self._panels.pop(key, None)

    def panels(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.key))

    def for_request(self, request: HttpRequest) -> list[RenderedPanel]:
        """The panels this resident may see, in order, each with its own context."""
        return [RenderedPanel(p, p.get_context(request)) for p in self.panels() if p.is_visible(request)]


registry = PanelRegistry()
register = registry.register
