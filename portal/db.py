"""Database helpers the apps share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

#: Bound parameters per statement, below SQLite's limit (32,766) and PostgreSQL's (65,535).
MAX_PARAMETERS = 30_000


def insert_new(objs: Sequence[M], *, match: str) -> list[M]:
    """Insert the objects that are new; return those, each with its ``pk``. The others are skipped.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` statement (PostgreSQL, and SQLite 3.35 or
    later) per few thousand rows. A row that would break a unique constraint, because it is a
    re-upload, a repeated idempotency key or a replayed signature, is skipped by the database,
    even when two requests race, and the caller learns which rows were new. Django's
    ``bulk_create(ignore_conflicts=True)`` does the same but can't tell which rows went in.

    ``match`` names a field whose value tells the objects of one call apart (the caller
    removes repeats first). Model ``save()`` methods and signals are not run, as with
    ``bulk_create``.
    """
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    match_field = meta.get_field(match)
    by_match = {getattr(obj, match_field.attname): obj for obj in objs}
    chunk = max(1, MAX_PARAMETERS // len(fields))
    new: list[M] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start : start + chunk]
            # Only names from the model go into the text; every value is a parameter.
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(part))}"  # noqa: S608
            sql += f" ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {quote(match_field.column)}"
            params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in part for f in fields]
            cursor.execute(sql, params)
            for pk, value in cursor.fetchall():
                obj = by_match[match_field.to_python(value)]
                obj.pk = pk
                obj._state.adding = False
                new.append(obj)
    return new
