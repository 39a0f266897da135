"""Disclosure catalogue: indexing rate, search recall and precision, and query time on PostgreSQL.

Run from the repository root::

    .venv/bin/python bench/disclosure.py [--documents 10000] [--repeat 5]

It creates the database ``machi_bench_disclosure`` (dropped again), migrates it and adds
``--documents`` generated catalogue documents through the staff's bulk upload
(``disclosure.catalogue.bulk.import_catalogue``: a CSV per batch of 500 and one text file per
document, validated, extracted, folded and written), which gives the indexing rate. The documents
are town-administration Japanese of varied length (about 150 to 30,000 characters), built from a
vocabulary of departments, subjects and document kinds, with a fixed seed.

50 queries have known relevant documents: for each, a phrase that the vocabulary never produces is
*planted* in 3–40 documents — in the title, the keywords, or the text (at the start, in the middle
or past the 20,000th character of a long one) — and the query is that phrase, a part of it, the
same words in half-width katakana or full-width letters, or two of its words. A planted document
of category 非公開 or 請求により判断 is relevant only when the phrase is in its title or keywords
(its text is not public, so the search must not find it there). Recall and precision are computed
over *every* match of a query (not only the first page), and timing is the whole public page
(``GET /disclosure/?q=…`` through Django's test client: search, ranking, count, facets, 20
snippets, template), ``--repeat`` times per query.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import create_database, database_url, drop_database  # noqa: E402

BENCH_DB = "machi_bench_disclosure"
SEED = 14
BATCH = 500

DEPARTMENTS = [
    "総務課", "企画政策課", "財政課", "税務課", "住民課", "福祉課", "子育て支援課", "健康増進課",
    "環境課", "農林振興課", "商工観光課", "建設課", "都市計画課", "上下水道課", "教育総務課", "生涯学習課",
]  # fmt: skip
SUBJECTS = [
    "住民基本台帳", "戸籍事務", "印鑑登録", "固定資産税", "町民税", "軽自動車税", "国民健康保険", "後期高齢者医療",
    "介護保険", "障害福祉サービス", "生活保護", "児童手当", "保育所入所", "放課後児童クラブ", "母子健康手帳",
    "予防接種", "特定健康診査", "がん検診", "ごみ収集", "資源物回収", "不法投棄", "浄化槽", "農地転用",
    "有害鳥獣", "森林整備", "観光振興", "企業誘致", "町道改良", "橋梁点検", "公営住宅", "都市計画道路",
    "上水道", "下水道", "学校給食", "就学援助", "公民館", "図書館", "文化財", "体育施設", "防災行政無線",
    "避難所", "消防団", "交通安全", "防犯灯", "選挙", "情報公開", "個人情報保護", "行政改革", "人事評価",
    "職員研修", "公有財産", "契約事務", "補助金", "指定管理者", "ふるさと納税", "地域振興", "移住定住",
]  # fmt: skip
KINDS = [
    "議事録", "実施要領", "基本計画", "事業報告書", "決裁文書", "契約書", "仕様書", "通知", "要綱",
    "調査結果", "予算要求書", "決算資料", "会議資料", "協定書", "申請書綴", "台帳", "委託報告",
]  # fmt: skip
SENTENCES = [
    "{s}について、{d}において検討した結果を報告する。",
    "令和{y}年度の{s}に係る事務は、前年度に引き続き適正に執行された。",
    "{s}の実施に当たっては、関係機関と連携し、町民への周知を図るものとする。",
    "本件は{d}長の決裁を経て、{s}の運用方針として定める。",
    "{s}に関する問合せは{d}で受け付け、必要に応じて現地確認を行った。",
    "委員から{s}の進め方について意見があり、事務局が次回までに資料を整理することとした。",
    "{s}の対象者数は前年度比で増加しており、予算の見直しが必要である。",
    "第{n}条の規定により、{s}の手続を次のとおり定める。",
    "{d}は、{s}の状況を毎月取りまとめ、町長に報告するものとする。",
    "なお、{s}の詳細は別紙のとおりである。",
]
CATEGORIES = ["公開"] * 55 + ["部分公開"] * 20 + ["非公開"] * 10 + ["請求により判断"] * 15
RETENTIONS = ["1年", "3年", "5年", "10年", "30年", "永年"]

#: (planted phrase, query, what the query exercises). Phrases use words the vocabulary never writes.
PLANTS = [
    ("旧第二小学校跡地活用", "旧第二小学校跡地活用", "whole phrase"),
    ("コミュニティバス路線再編", "ｺﾐｭﾆﾃｨﾊﾞｽ", "half-width katakana, part"),
    ("GIGAスクール端末更新", "ＧＩＧＡスクール", "full-width letters"),
    ("空き家バンク登録制度", "空き家バンク", "part of a word"),
    ("地域おこし協力隊募集", "協力隊募集", "end of a word"),
    ("デマンド型乗合タクシー", "でまんど型", "hiragana for katakana"),
    ("駅前広場バリアフリー化", "駅前広場 バリアフリー", "two words"),
    ("学童保育室増築工事", "学童保育室増築", "part"),
    ("水源地保全条例", "水源地保全条例", "whole"),
    ("屋外プール廃止方針", "屋外ﾌﾟｰﾙ", "half-width"),
    ("防災備蓄倉庫更新", "備蓄倉庫", "part"),
    ("町営墓地区画整理", "町営墓地", "part"),
    ("新庁舎建設基本構想", "新庁舎建設", "part"),
    ("ごみ焼却施設広域化", "ゴミ焼却施設", "katakana for hiragana"),
    ("ふれあい農園利用規程", "ふれあい農園", "part"),
    ("太陽光発電設備設置補助", "太陽光発電 補助", "two words"),
    ("里山トレイル整備計画", "里山トレイル", "part"),
    ("シェアサイクル実証実験", "ｼｪｱｻｲｸﾙ 実証", "half-width and two words"),
    ("医療的ケア児支援", "医療的ケア児", "part"),
    ("ヤングケアラー実態調査", "ヤングケアラー", "part"),
    ("森林環境譲与税活用", "森林環境譲与税", "part"),
    ("ＡＥＤ設置場所一覧", "AED設置", "half-width letters for full-width"),
    ("多文化共生推進プラン", "多文化共生", "part"),
    ("ゼロカーボンシティ宣言", "ゼロカーボン", "part"),
    ("地域包括ケア会議録", "地域包括ケア", "part"),
    ("鳥獣被害防止柵設置", "被害防止柵", "middle"),
    ("中心市街地活性化協議会", "中心市街地 協議会", "two words"),
    ("読書通帳導入", "読書通帳", "part"),
    ("ふるさと応援寄附返礼品", "返礼品", "short end"),
    ("子ども食堂支援事業", "子ども食堂", "part"),
    ("認知症カフェ運営", "認知症カフェ", "part"),
    ("ワクチン接種会場運営", "接種会場運営", "end"),
    ("町史編さん委員会", "町史編さん", "part"),
    ("道の駅リニューアル", "道の駅", "3 characters"),
    ("消防団詰所改築", "詰所改築", "part"),
    ("雨水排水ポンプ場", "ポンプ場", "part"),
    ("通学路合同点検", "通学路 点検", "two words, one planted apart"),
    ("二地域居住推進", "二地域居住", "part"),
    ("テレワーク拠点施設", "ﾃﾚﾜｰｸ拠点", "half-width"),
    ("キャッシュレス決済導入", "キャッシュレス", "part"),
    ("公共施設等総合管理計画", "総合管理計画", "end"),
    ("災害時要配慮者名簿", "要配慮者", "middle"),
    ("生ごみ堆肥化", "生ごみ堆肥", "part"),
    ("電子入札システム", "電子入札", "part"),
    ("ひとり親家庭医療費", "ひとり親", "part"),
    ("河川敷グラウンド", "河川敷", "3 characters"),
    ("マイナ保険証移行", "ﾏｲﾅ保険証", "half-width"),
    ("産後ケア事業", "産後ケア", "4 characters"),
    ("オンライン申請拡充", "オンライン申請", "part"),
    ("集落排水施設統合", "集落排水", "part"),
]


def _half_width_table() -> dict[str, str]:
    """Full-width katakana (also voiced, ガ) → half-width (ｶﾞ), full-width letters ← ASCII: how old systems write."""
    import unicodedata

    table = {}
    for code in range(0xFF66, 0xFF9E):
        half = chr(code)
        table.setdefault(unicodedata.normalize("NFKC", half), half)
        for mark in ("\uff9e", "\uff9f"):
            full = unicodedata.normalize("NFKC", half + mark)
            if len(full) == 1:
                table.setdefault(full, half + mark)
    table["ー"] = "ｰ"
    return table


HALF_WIDTH = _half_width_table()


def written_otherwise(phrase: str) -> str:
    """The phrase as an old system or another writer has it: half-width katakana, full-width letters."""
    out = []
    for char in phrase:
        if char.isascii() and char.isalnum():
            out.append(chr(ord(char) + 0xFEE0))
        else:
            out.append(HALF_WIDTH.get(char, char))
    return "".join(out)


def _sentence(rng: random.Random, subject: str, department: str) -> str:
    return rng.choice(SENTENCES).format(
        s=subject if rng.random() < 0.6 else rng.choice(SUBJECTS),
        d=department,
        y=rng.randint(1, 7),
        n=rng.randint(1, 30),
    )


def _length(rng: random.Random) -> int:
    """Characters of text: most documents short, some very long (log-uniform 150 – 30,000)."""
    return int(150 * (200 ** rng.random()))


def generate(n: int):
    """``n`` documents (dicts) and, per plant index, the file numbers relevant to its query."""
    rng = random.Random(SEED)
    documents = []
    for i in range(n):
        department = rng.choice(DEPARTMENTS)
        subject = rng.choice(SUBJECTS)
        kind = rng.choice(KINDS)
        year = rng.randint(2015, 2025)
        title = f"{subject}{kind}" if rng.random() < 0.5 else f"令和{year - 2018}年度 {subject}に関する{kind}"
        if year < 2019:
            title = f"平成{year - 1988}年度 {subject}{kind}"
        target = _length(rng)
        parts, size = [], 0
        while size < target:
            sentence = _sentence(rng, subject, department)
            parts.append(sentence)
            size += len(sentence)
        documents.append(
            {
                "file_number": f"{department[:2]}第{i + 1}号",
                "title": title,
                "department": department,
                "created_on": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "retention": rng.choice(RETENTIONS),
                "category": rng.choice(CATEGORIES),
                "keywords": " ".join(rng.sample(SUBJECTS, 2)),
                "parts": parts,
            }
        )
    relevant: list[set[str]] = []
    hidden = 0
    for _p, (phrase, query, _kind) in enumerate(PLANTS):
        chosen = rng.sample(range(n), rng.randint(3, 40))
        found = set()
        for index in chosen:
            document = documents[index]
            where = rng.choice(["title", "keywords", "start", "middle", "end", "end"])
            # A quarter of the documents write the phrase otherwise (ｺﾐｭﾆﾃｨﾊﾞｽ, ＧＩＧＡ): folding must match both.
            words = written_otherwise(phrase) if rng.random() < 0.25 else phrase
            if query == "通学路 点検":
                words = "通学路の安全について関係者が点検した。"  # the two words apart, not as one phrase
            if where == "title":
                document["title"] = f"{words}に係る{document['title']}"[:300]
            elif where == "keywords":
                document["keywords"] += f" {words}"
            else:
                position = {"start": 0, "middle": len(document["parts"]) // 2, "end": len(document["parts"])}[where]
                document["parts"].insert(position, f"{words}について協議した。")
            public_text = document["category"] in ("公開", "部分公開")
            if where in ("title", "keywords") or public_text:
                found.add(document["file_number"])
            else:
                hidden += 1
        relevant.append(found)
    print(f"Planted: {sum(map(len, relevant))} relevant; {hidden} more in non-public documents' text (not to be found)")
    return documents, relevant


def index_documents(documents) -> float:
    """Add the documents through the bulk upload; returns seconds taken."""
    import csv

    from disclosure.catalogue.bulk import import_catalogue

    started = time.perf_counter()
    for start in range(0, len(documents), BATCH):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["文書番号", "件名", "担当課", "作成日", "決裁日", "保存期間", "公開区分", "キーワード", "ファイル"]
        )
        files = {}
        for d in documents[start : start + BATCH]:
            name = f"{d['file_number']}.txt"
            files[name] = "\n".join(d["parts"]).encode("utf-8")
            writer.writerow(
                [d["file_number"], d["title"], d["department"], d["created_on"], "", d["retention"], d["category"],
                 d["keywords"], name]
            )  # fmt: skip
        import_catalogue(csv_bytes=out.getvalue().encode("cp932", errors="strict"), files=files)
    return time.perf_counter() - started


def quality(relevant: list[set[str]]) -> list[dict]:
    from disclosure.catalogue.models import CatalogueDocument
    from disclosure.catalogue.search import Filters, matching, ranked

    numbers = dict(CatalogueDocument.objects.values_list("pk", "file_number"))
    rows = []
    for (_phrase, query, kind), wanted in zip(PLANTS, relevant, strict=True):
        ids = list(ranked(Filters().apply(matching(query)), query).values_list("pk", flat=True))
        got = {numbers[pk] for pk in ids}
        top = {numbers[pk] for pk in ids[:20]}
        rows.append(
            {
                "query": query,
                "kind": kind,
                "relevant": len(wanted),
                "found": len(got),
                "hits": len(got & wanted),
                "top20_hits": len(top & wanted),
                "extra": sorted(got - wanted)[:3],
            }
        )
    return rows


def timing(repeat: int) -> tuple[list[float], dict[str, float]]:
    from django.test import Client

    client = Client()
    client.get("/disclosure/", {"q": "予防接種"})  # templates and caches, once
    times, per_query = [], {}
    for _phrase, query, _kind in PLANTS:
        mine = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/disclosure/", {"q": query})
            mine.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times += mine
        per_query[query] = statistics.median(mine)
    return times, per_query


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed page loads per query")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    create_database(BENCH_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database_url(BENCH_DB),
            "DEBUG": "0",
            "PORTAL_VAR_DIR": tempfile.mkdtemp(prefix="machi-bench-disclosure-"),
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        documents, relevant = generate(args.documents)
        characters = sum(len(p) for d in documents for p in d["parts"])
        seconds = index_documents(documents)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE disclosure_cataloguedocument")
        cpus = len(os.sched_getaffinity(0))
        print(f"PostgreSQL {pg}, Python {sys.version.split()[0]}, {cpus} CPUs, load {os.getloadavg()}")
        print(
            f"Indexed {len(documents)} documents ({characters / 1e6:.1f} M characters of text) in {seconds:.1f} s: "
            f"{len(documents) / seconds:.0f} documents/s (bulk upload: CSV check, extraction, folding, files written)"
        )
        rows = quality(relevant)
        relevant_total = sum(r["relevant"] for r in rows)
        hits = sum(r["hits"] for r in rows)
        found = sum(r["found"] for r in rows)
        print(f"\n{'query':<24} {'kind':<36} relevant found hits top20")
        for r in rows:
            extra = f"  extra: {', '.join(r['extra'])}" if r["extra"] else ""
            counts = f"{r['relevant']:>8} {r['found']:>5} {r['hits']:>4} {r['top20_hits']:>5}"
            print(f"{r['query']:<24} {r['kind']:<36} {counts}{extra}")
        macro_recall = statistics.mean(r["hits"] / r["relevant"] for r in rows)
        macro_precision = statistics.mean(r["hits"] / r["found"] if r["found"] else 0 for r in rows)
        print(
            f"\nRecall {hits}/{relevant_total} = {hits / relevant_total:.3f} (mean per query {macro_recall:.3f}); "
            f"precision {hits}/{found} = {hits / found:.3f} (mean per query {macro_precision:.3f})"
        )
        times, per_query = timing(args.repeat)
        slowest = sorted(per_query.items(), key=lambda item: -item[1])[:5]
        print("Slowest queries (median ms): " + ", ".join(f"{q} {ms:.0f}" for q, ms in slowest))
        print(
            f"GET /disclosure/?q=… over {len(PLANTS)} queries × {args.repeat}: p50 {percentile(times, 50):.0f} ms, "
            f"p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms, load after {os.getloadavg()}"
        )
    finally:
        connection.close()
        if not args.keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
