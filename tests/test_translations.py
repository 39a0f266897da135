"""The Japanese catalog is complete, compiled, and used by the pages.

Source strings are English; ``portal/locale/ja/LC_MESSAGES/django.po`` holds every one of
them in Japanese. After adding or changing a string:

    .venv/bin/python manage.py makemessages -l ja --no-location --ignore=.venv --ignore=node_modules \
        --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=docker
    (translate the new entries in django.po)
    .venv/bin/python manage.py compilemessages -l ja --ignore=.venv
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "portal" / "locale"
PO_FILE = LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
MAKEMESSAGES_IGNORES = [".venv", "node_modules", "var", "staticfiles", "tests", "bench", "docker"]
HOW_TO_FIX = "translate them in portal/locale/ja/LC_MESSAGES/django.po, then run compilemessages"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: comments, flags, msgctxt, plurals, multi-line strings, obsolete entries."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish():
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    def append(key: tuple[str, int | None], value: str):
        name, index = key
        if name == "msgstr":
            while len(entry.msgstrs) <= index:
                entry.msgstrs.append("")
            entry.msgstrs[index] += value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if started and target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"string without a keyword: {raw!r}")
            append(target, ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and started and target is not None and target[0] == "msgstr":
            finish()  # a new entry without a blank line between
        started = True
        entry.obsolete = entry.obsolete or obsolete
        if keyword.startswith("msgstr["):
            key = ("msgstr", int(keyword[7:-1]))
        elif keyword == "msgstr":
            key = ("msgstr", 0)
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            key = (keyword, None)
            setattr(entry, keyword, "")
        else:
            raise ValueError(f"unknown keyword in .po file: {raw!r}")
        target = key
        append(key, ast.literal_eval(rest.strip()))
    finish()
    return entries


def problems(entries: list[Entry]) -> list[str]:
    found = []
    for entry in entries:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.label!r}" if entry.msgid else "fuzzy: the header (remove '#, fuzzy')")
        if entry.msgid and (not entry.msgstrs or not all(entry.msgstrs)):
            found.append(f"untranslated: {entry.label!r}")
    return found


def load_catalog(path: Path) -> dict:
    with path.open("rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, **kwargs)


def test_parse_po_handles_multiline_plural_and_flags():
    entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Hello "\n"%(name)s"\nmsgstr "こんにちは"\n\n'
        'msgctxt "menu"\nmsgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n'
    )
    header, hello, plural, old = entries
    assert header.msgstrs == ["Language: ja\n"]
    assert hello.msgid == "Hello %(name)s" and hello.flags == {"fuzzy", "python-format"}
    assert plural.msgctxt == "menu" and plural.msgid_plural == "Many"
    assert old.obsolete
    assert problems(entries) == ["fuzzy: 'Hello %(name)s'", "untranslated: 'menu\\x04One'"]


@pytest.mark.sqlite
def test_po_file_has_no_fuzzy_or_empty_translations():
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    header = next(entry for entry in entries if entry.msgid == "" and entry.msgctxt is None)
    assert "Language: ja\n" in header.msgstrs[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstrs[0]
    assert "charset=UTF-8" in header.msgstrs[0]
    assert len(entries) > 100, "the catalog looks truncated"
    found = problems(entries)
    assert not found, f"{len(found)} problem(s) in {PO_FILE.relative_to(ROOT)}; {HOW_TO_FIX}:\n" + "\n".join(found)


@pytest.mark.sqlite
def test_compiled_mo_is_up_to_date(tmp_path):
    fresh = tmp_path / "django.mo"
    # --check also rejects translations whose %(placeholders)s differ from the English.
    result = run(["msgfmt", "--check", "-o", str(fresh), str(PO_FILE)])
    assert result.returncode == 0, f"msgfmt rejects {PO_FILE.relative_to(ROOT)}:\n{result.stderr}"
    assert MO_FILE.exists(), f"{MO_FILE.relative_to(ROOT)} is missing: run compilemessages -l ja"
    committed, expected = load_catalog(MO_FILE), load_catalog(fresh)
    if committed != expected:
        differing = sorted(str(key) for key in committed.keys() ^ expected.keys())
        differing += sorted(str(k) for k in committed.keys() & expected.keys() if committed[k] != expected[k])
        pytest.fail(
            f"{MO_FILE.relative_to(ROOT)} is out of date with django.po: run compilemessages "
            f"(.venv/bin/python manage.py compilemessages -l ja --ignore=.venv). Differs in: {differing[:20]}"
        )


def test_every_source_string_is_translated(tmp_path):
    """Regenerate the catalog from the code and templates into a temporary copy.

    makemessages merges into the existing translations, so a string added to the code
    shows up empty and a changed one shows up fuzzy. The repository's catalog is not
    touched: a settings module in tmp_path points LOCALE_PATHS at a copy, and portal/locale
    is ignored so that makemessages does not pick it up as the portal app's own locale dir.
    """
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    settings_file = tmp_path / "i18n_check_settings.py"
    settings_file.write_text(f"from portal.settings import *  # noqa\nLOCALE_PATHS = [{str(copy)!r}]\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "i18n_check_settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), str(ROOT), env.get("PYTHONPATH")]))
    ignores = [f"--ignore={pattern}" for pattern in [*MAKEMESSAGES_IGNORES, str(LOCALE_DIR.relative_to(ROOT))]]
    command = [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-location", *ignores]
    original = PO_FILE.read_bytes()
    try:
        result = run(command, cwd=ROOT, env=env)
    finally:
        touched = PO_FILE.read_bytes() != original
        if touched:
            PO_FILE.write_bytes(original)
    assert not touched, "makemessages wrote to the repository's django.po (restored it)"
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    stray = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/locale/*/LC_MESSAGES/django.po") if p != PO_FILE)
    assert not stray, f"makemessages wrote catalogs outside LOCALE_PATHS: {stray}"
    entries = parse_po((copy / "ja" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    found = problems(entries)
    assert not found, (
        f"{len(found)} source string(s) missing from the Japanese catalog; run makemessages, {HOW_TO_FIX}:\n"
        + "\n".join(found)
    )
    ours = {entry.label for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if not entry.obsolete}
    assert {entry.label for entry in entries if not entry.obsolete} <= ours


@pytest.mark.django_db
def test_pages_are_japanese_by_default_and_english_on_request(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    assert "本文へスキップ" in page
    assert ">Sign in<" not in page

    client.cookies["django_language"] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert ">Sign in<" in page
    assert "Skip to main content" in page
    assert "ログイン" not in page
