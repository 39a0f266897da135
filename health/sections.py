"""The kinds of record a health log holds, each registered once by the module that owns it.

A *section* is one kind of record (measurements, conditions, medicines, vaccinations ...). The
pages that show a whole log — a share link's doctor view, the printable summary, the FHIR export —
ask this registry instead of knowing every model::

    # health/measurements.py (for example), imported from HealthConfig.ready()
    from health.sections import Section, register

    register(Section(
        key="measurements",
        label=_("Measurements"),
        order=10,
        template="health/sections/measurements.html",  # renders ``section_rows`` read-only
        rows=lambda record, start, end: measurements_between(record, start, end),
        fhir=lambda record, patient_ref, start, end: [observation_dict, ...],
    ))

``rows(record, start, end)`` returns what the template shows for the date range (``start`` and
``end`` are ``datetime.date`` or ``None`` for no limit); it must run a constant number of queries.
``fhir(record, patient_ref, start, end)`` returns FHIR R4 resources as plain dicts (without
``id``-less references: point at the patient with ``{"reference": patient_ref}``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _no_fhir(record, patient_ref: str, start: datetime.date | None, end: datetime.date | None) -> list[dict]:
    return []


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    template: str
    rows: Callable[[Any, datetime.date | None, datetime.date | None], Any]
    order: int = 100
    fhir: Callable[[Any, str, datetime.date | None, datetime.date | None], list[dict]] = field(default=_no_fhir)


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section (registering the same key again replaces it, so reloading is harmless)."""
    _sections[section.key] = section
    return section


def all_sections() -> list[Section]:
    """Every registered section, in display order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def get(key: str) -> Section | None:
    return _sections.get(key)


def choices() -> list[tuple[str, str]]:
    """(key, label) pairs for a form that lets the resident pick sections (e.g. what to share)."""
    return [(s.key, s.label) for s in all_sections()]
