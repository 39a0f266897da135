"""CSV export and import of all measurements of a record (UTF-8 with BOM, so Excel opens it).

Columns (the header row is required on import, in this order)::

    measured_at,type,value,value2,unit,loinc,note,name

``measured_at`` is ISO 8601 with the offset (``2026-12-07T08:30:00+09:00``; without an offset
Japan time is assumed); ``type`` is a key of the catalogue (``temperature``, ``blood_pressure``
...); ``value2`` is the diastolic value of a blood pressure; ``unit`` is the UCUM code and must
match the type's; ``loinc`` and ``name`` are for people and other programs, ignored on import. A note a spreadsheet
would take for a formula (``=``, ``+``, ``-``, ``@`` ...) is written after an apostrophe, which the
import removes.
BMI rows are exported for the reader but recomputed on import from weights and heights.

Import is all or nothing: every line is checked first; if any is wrong, the lines and what is
wrong with them are listed and nothing is saved. A line equal to a reading already in the record
(same type, time and values) is skipped, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from health.measurements import catalogue, selectors, services
from health.measurements.errors import MeasurementError
from health.models import HealthRecord, Measurement

HEADER = ["measured_at", "type", "value", "value2", "unit", "loinc", "note", "name"]
BOM = "\ufeff"
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 50


def export_rows(record: HealthRecord):
    """The CSV lines (lists of strings) of every measurement, oldest first; one query, streamed.

    PostgreSQL writes the time and the numbers as text (10 years of readings: no 40,000 datetimes
    and decimals to build in Python). Japan time has been UTC+09:00 all year since 1951.
    """
    yield HEADER
    decimals = Case(*(When(type=k, then=Value(t.decimals)) for k, t in catalogue.TYPES.items()))
    rows = (
        Measurement.objects.filter(record=record)
        .order_by("measured_at", "type", "pk")
        .annotate(
            at_text=Func(
                F("measured_at"),
                template="to_char(%(expressions)s AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')",
                output_field=CharField(),
            ),
            value_text=Cast(Func(F("value"), decimals, function="ROUND"), CharField()),
            value2_text=Cast(Func(F("value2"), decimals, function="ROUND"), CharField()),
        )
        .values_list("at_text", "type", "value_text", "value2_text", "note")
        .iterator(chunk_size=5000)
    )
    fixed = {key: (t.ucum, t.loinc, str(t.label)) for key, t in catalogue.TYPES.items()}
    for at_text, type_key, value, value2, note in rows:
        ucum, loinc, label = fixed[type_key]
        yield [at_text, type_key, value, value2 or "", ucum, loinc, protect(note), label]


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def protect(note: str) -> str:
    """A note that a spreadsheet would run as a formula, quoted with a leading apostrophe."""
    return "'" + note if note.startswith(FORMULA_START) else note


def unprotect(note: str) -> str:
    """The note as written before :func:`protect` (import)."""
    return note[1:] if note.startswith("'") else note


def export_csv(record: HealthRecord) -> str:
    """The whole CSV as text, starting with the BOM."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(export_rows(record))
    return buffer.getvalue()


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class ImportRefused(MeasurementError):
    """The file has errors; ``extra["errors"]`` lists them by line, nothing was saved."""

    default_code = "import_refused"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); a file saved by Japanese Excel as Shift_JIS (cp932) is read too."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise ImportRefused(_("The file is not a CSV file in UTF-8."), code="encoding") from None


def _decimal(text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _when(text: str) -> datetime.datetime:
    when = datetime.datetime.fromisoformat(text.strip())
    if timezone.is_naive(when):
        when = when.replace(tzinfo=selectors.TOKYO)
    return when


def parse(text: str) -> tuple[list[Measurement], list[str]]:
    """Check every line; the readings (unsaved) and the problems, each starting with its line number."""
    reader = csv.reader(io.StringIO(text))
    errors: list[str] = []
    readings: list[Measurement] = []
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[: len(HEADER) - 2]] != HEADER[:-2]:
        raise ImportRefused(
            _("The first line must be the header: %(header)s") % {"header": ",".join(HEADER)}, code="header"
        )
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        row = (row + [""] * len(HEADER))[: len(HEADER)]
        at_text, type_key, value_text, value2_text, unit, _loinc, note, _name = row
        mtype = catalogue.get(type_key.strip())
        if mtype is None:
            errors.append(_("Line %(line)s: unknown type “%(type)s”.") % {"line": line, "type": type_key})
            continue
        if mtype.derived:
            continue  # BMI: recomputed from the weights and heights
        if unit.strip() and unit.strip() != mtype.ucum:
            errors.append(
                _("Line %(line)s: the unit of %(type)s must be %(unit)s, not “%(given)s”.")
                % {"line": line, "type": mtype.label, "unit": mtype.ucum, "given": unit}
            )
            continue
        try:
            when = _when(at_text)
        except ValueError:
            errors.append(
                _("Line %(line)s: “%(value)s” is not a date and time like 2026-12-07T08:30:00+09:00.")
                % {"line": line, "value": at_text}
            )
            continue
        try:
            value, value2 = _decimal(value_text), _decimal(value2_text)
        except ValueError as exc:
            errors.append(_("Line %(line)s: “%(value)s” is not a number.") % {"line": line, "value": exc.args[0]})
            continue
        try:
            value, value2, when = services.clean_reading(
                type_key=mtype.key, value=value, value2=value2, measured_at=when
            )
        except MeasurementError as exc:
            errors.append(_("Line %(line)s: %(problem)s") % {"line": line, "problem": exc.message})
            continue
        if len(note) > 200:
            errors.append(_("Line %(line)s: the note is longer than 200 characters.") % {"line": line})
            continue
        note = unprotect(note)
        readings.append(Measurement(type=mtype.key, value=value, value2=value2, measured_at=when, note=note))
    return readings, errors


@transaction.atomic
def import_csv(*, record: HealthRecord, data: bytes) -> ImportResult:
    """Add the file's readings to the record, all or nothing (see the module docstring)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 5 MB."), code="too_large")
    readings, errors = parse(decode(data))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(count)s more.") % {"count": len(errors) - MAX_ERRORS_SHOWN})
        raise ImportRefused(
            _("Nothing was imported: the file has %(count)s wrong lines.") % {"count": len(errors)},
            code="import_refused",
            errors=shown,
        )
    existing = set(Measurement.objects.filter(record=record).values_list("type", "measured_at", "value", "value2"))
    result = ImportResult()
    new = []
    for m in readings:
        key = (m.type, m.measured_at, m.value, m.value2)
        if key in existing:
            result.skipped += 1
            continue
        existing.add(key)
        m.record = record
        new.append(m)
    Measurement.objects.bulk_create(new, batch_size=2000)
    result.added = len(new)
    if new:
        services.rederive_bmi(record=record)
    return result
