"""Site search query time on PostgreSQL (pg_trgm GIN index) and SQLite (table scan) at town scale.

Run from the repository root::

    .venv/bin/python bench/search.py [--pages 250,1000,5000] [--repeat 20]

For each database it creates a fresh one (PostgreSQL: database ``machi_bench_search``, dropped
again; SQLite: a temporary file), migrates it, adds N pages under a home page with generated
Japanese text of about 1,500 characters each (the search index rows are written with the same
folding as the signals use; pages are bulk-inserted because publishing thousands of pages
through Wagtail would take longer than the measurement) and times each query end to end as the
search view does it (``cms.search.search_page``: match and rank, count, fetch the first 20, build
snippets). It prints the mean wall time and CPU time (this process plus the PostgreSQL backend)
of ``--repeat`` runs per query and, on PostgreSQL, whether the plan uses the trigram index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import create_database, database_url, drop_database  # noqa: E402

BENCH_DB = "machi_bench_search"

QUERIES = [
    ("子育て支援センター", "long word"),
    ("児童手当", "4 characters"),
    ("予防接種 会場", "two words"),
    ("ﾏｲﾅﾝﾊﾞｰ", "half-width katakana"),
    ("税金", "2 characters, no index"),
    ("ごみ", "2 characters, frequent"),
    ("町", "1 character, on every page"),
    ("存在しない語句", "no hit"),
]
TOPICS = [
    "住民票",
    "戸籍",
    "印鑑登録",
    "マイナンバーカード",
    "転入届",
    "ごみ",
    "粗大ごみ",
    "水道",
    "税金",
    "住民税",
    "固定資産税",
    "国民健康保険",
    "国民年金",
    "予防接種",
    "介護保険",
    "特定健診",
    "児童手当",
    "保育園",
    "子育て支援センター",
    "放課後児童クラブ",
    "図書館",
    "公民館",
    "避難所",
    "ハザードマップ",
    "投票",
]
SENTENCES = [
    "{t}について、よくあるご質問をまとめました。",
    "{t}の手続きは、役場本庁舎1階の窓口で受け付けています。",
    "受付時間は平日の8時30分から17時15分までです。",
    "{t}に関する申請書は、このページからダウンロードできます。",
    "代理の方が手続きをする場合は、委任状と本人確認書類が必要です。",
    "{t}の会場は、町民センター2階の会議室です。",
    "郵送での申請も受け付けています。返信用封筒を同封してください。",
    "詳しくは担当課までお問い合わせください。",
    "令和7年4月から、{t}の受付方法が一部変わりました。",
    "みどり町では、町民の皆さまの暮らしを支えるため、さまざまな制度を用意しています。",
]


def page_text(i: int) -> tuple[str, str]:
    """A title and about 1,500 characters of body text for the i-th page."""
    topic = TOPICS[i % len(TOPICS)]
    other = TOPICS[(i * 7 + 3) % len(TOPICS)]
    parts = []
    n = 0
    while sum(len(p) for p in parts) < 1500:
        template = SENTENCES[(i + n) % len(SENTENCES)]
        parts.append(template.format(t=topic if n % 3 else other))
        n += 1
    return f"{topic}のご案内（{i}）", "".join(parts)


def run(engine: str, sizes: list[int], repeat: int) -> dict:
    if engine == "postgresql":
        create_database(BENCH_DB)
        url = database_url(BENCH_DB)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='machi-bench-search-')}/db.sqlite3"
    os.environ.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": url, "DEBUG": "0"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        return {"engine": engine, "machine": machine(), "sizes": [measure(n, repeat) for n in sizes]}
    finally:
        from django.db import connection

        connection.close()
        if engine == "postgresql":
            drop_database(BENCH_DB)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {"nproc": len(os.sched_getaffinity(0)), "python": platform.python_version(), "db": version}


def fill(n: int) -> None:
    """Replace every page below the home page with ``n`` generated pages and their index rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from cms.search_index import SearchEntry, display_form, fold

    root = Page.get_first_root_node()
    home = root.get_children().first()
    SearchEntry.objects.all().delete()
    Page.objects.filter(depth__gt=2).delete()
    home.refresh_from_db()
    page_type = ContentType.objects.get_for_model(Page)
    locale = Locale.get_default()
    now = timezone.now()
    pages = []
    for i in range(n):
        title, _text = page_text(i)
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=f"p{i}",
                path=Page._get_path(home.path, home.depth + 1, i + 1),
                depth=home.depth + 1,
                numchild=0,
                url_path=f"{home.url_path}p{i}/",
                content_type=page_type,
                locale=locale,
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
        )
    Page.objects.bulk_create(pages, batch_size=500)
    Page.objects.filter(pk=home.pk).update(numchild=n)
    entries = []
    for page in Page.objects.filter(depth=home.depth + 1).order_by("path"):
        i = int(page.slug[1:])
        title, text = page_text(i)
        text = display_form(text)
        entries.append(
            SearchEntry(
                page=page,
                locale=locale.language_code,
                title=title,
                text=text,
                search_title=fold(title),
                search_text=fold(title + " " + text),
                updated_at=now,
            )
        )
    SearchEntry.objects.bulk_create(entries, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cms_searchentry")
            cursor.execute("ANALYZE wagtailcore_page")


def _backend_cpu_seconds() -> float:
    """CPU time used so far by this connection's PostgreSQL backend process (0 for SQLite: in-process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(n: int, repeat: int) -> dict:
    from django.db import connection, transaction

    from cms.search import search_entries, search_page

    fill(n)
    search_page("予防接種")  # loads templates and caches once per process
    rows = []
    for query, kind in QUERIES:
        page, _results = search_page(query)
        # Wall time moves with whatever else the machine runs; CPU time (this process and the
        # PostgreSQL backend, read from /proc in clock ticks, hence the loop) much less.
        wall, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu_seconds()
        for _ in range(repeat):
            search_page(query)
        wall = (time.perf_counter() - wall) / repeat
        cpu = (time.process_time() - cpu + _backend_cpu_seconds() - backend) / repeat
        plan = ""
        if connection.vendor == "postgresql":
            sql, params = search_entries(query).values_list("pk").query.sql_with_params()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL random_page_cost = 1.1")  # as cms.search does
                cursor.execute("EXPLAIN " + sql, params)
                plan_text = "\n".join(row[0] for row in cursor.fetchall())
            plan = "trigram index" if "cms_searchentry_search_text_trgm" in plan_text else "table scan"
        rows.append(
            {
                "query": query,
                "kind": kind,
                "hits": page.paginator.count,
                "wall_ms": round(wall * 1000, 1),
                "cpu_ms": round(cpu * 1000, 1),
                "plan": plan,
            }
        )
    return {"pages": n, "queries": rows}


def report(result: dict) -> None:
    m = result["machine"]
    print(f"\n{result['engine']} {m['db']} (Python {m['python']}, {m['nproc']} CPUs)")
    for size in result["sizes"]:
        print(f"  {size['pages']} pages")
        for row in size["queries"]:
            plan = f"  [{row['plan']}]" if row["plan"] else ""
            print(
                f"    {row['query']:<12} {row['kind']:<28} {row['hits']:>5} hits  "
                f"{row['wall_ms']:>7.1f} ms wall {row['cpu_ms']:>7.1f} ms CPU{plan}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="250,1000,5000", help="comma-separated page counts")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (mean)")
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(n) for n in args.pages.split(",")]
    if args.engine:  # one database per process: Django is set up once
        print(json.dumps(run(args.engine, sizes, args.repeat)))
        return
    for engine in ("postgresql", "sqlite"):
        out = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--pages", args.pages, "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        report(json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
