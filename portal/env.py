"""Reads settings from the environment and remembers what it read.

Every variable the settings read goes through :func:`env`, so the list of variables is
known in one place: the README's configuration table and the Compose test use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str | None
    help: str
    production: bool  # must be set in production


REGISTRY: dict[str, EnvVar] = {}

_TRUE = {"1", "true", "yes", "on"}


def env(name: str, default: str | None = None, *, help: str = "", production: bool = False) -> str:
    """Return the variable ``name`` or ``default``; record it in :data:`REGISTRY`."""
    REGISTRY[name] = EnvVar(name, default, help, production)
    value = os.environ.get(name)
    if value is None or value == "":
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool, *, help: str = "", production: bool = False) -> bool:
    return env(name, "1" if default else "0", help=help, production=production).lower() in _TRUE


def env_int(name: str, default: int, *, help: str = "") -> int:
    return int(env(name, str(default), help=help))


def env_list(name: str, default: str, *, help: str = "", production: bool = False) -> list[str]:
    return [item.strip() for item in env(name, default, help=help, production=production).split(",") if item.strip()]
