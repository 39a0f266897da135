"""Print the configuration table (every environment variable the settings read) as Markdown.

The README's table is this command's output. It must not depend on the machine or on the
environment it runs in, so the settings are evaluated again with none of their variables
set: once as a laptop, once with ``PORTAL_ENV=production`` (some variables are only read
there, some defaults differ). Paths under the project folder are shown as ``<project>``.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand

from portal import env as portal_env

PROJECT_PLACEHOLDER = "<project>"
_SETTINGS_FILE = Path(portal_env.__file__).with_name("settings.py")


def _registry_for(overrides: dict[str, str], unset: set[str]) -> dict[str, portal_env.EnvVar]:
    """Evaluate the settings file with ``unset`` removed from the environment; return what it read."""
    saved = dict(portal_env.REGISTRY)
    environ = {k: v for k, v in os.environ.items() if k not in unset} | overrides
    try:
        portal_env.REGISTRY.clear()
        with mock.patch.dict(os.environ, environ, clear=True):
            runpy.run_path(str(_SETTINGS_FILE), run_name="portal._envtable_settings")
        return dict(portal_env.REGISTRY)
    finally:
        portal_env.REGISTRY.clear()
        portal_env.REGISTRY.update(saved)


def collect() -> tuple[dict[str, portal_env.EnvVar], dict[str, portal_env.EnvVar]]:
    """The registry as a laptop sees it and as production sees it, both from a clean environment."""
    unset = set(portal_env.REGISTRY) | {"PORTAL_ENV"}
    while True:  # a variable read only in one mode may change another's default
        dev = _registry_for({}, unset)
        prod = _registry_for({"PORTAL_ENV": "production", "SECRET_KEY": "envtable-placeholder"}, unset)
        seen = unset | set(dev) | set(prod)
        if seen == unset:
            return dev, prod
        unset = seen


def _show(value: str | None) -> str:
    if value is None or value == "":
        return "*empty*"
    value = value.replace(str(Path(settings.BASE_DIR)), PROJECT_PLACEHOLDER)
    return "`" + value.replace("|", "\\|") + "`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render() -> str:
    dev, prod = collect()
    lines = [
        "| Variable | Default | Required in production | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(set(dev) | set(prod)):
        var = dev.get(name) or prod[name]
        default = _show(var.default)
        meaning = var.help
        if name not in dev:
            meaning += " Only read when PORTAL_ENV=production."
        elif name in prod and prod[name].default != var.default:
            default += f"; production: {_show(prod[name].default)}"
        required = "yes" if var.production or prod.get(name, var).production else ""
        lines.append(f"| `{name}` | {default} | {required} | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the environment variables the settings read, as a Markdown table for the README."

    def handle(self, *args, **options):
        self.stdout.write(render(), ending="")
