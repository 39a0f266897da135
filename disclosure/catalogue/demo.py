"""The demo catalogue: a few documents of each category, with Word, Excel and text files, added
through the bulk upload as staff would add them. Safe to run again (documents already there are kept)."""

from __future__ import annotations

import io

from disclosure.catalogue.bulk import import_catalogue
from disclosure.catalogue.models import CatalogueDocument

HEADER = "文書番号,件名,担当課,作成日,決裁日,保存期間,公開区分,キーワード,ファイル"
ROWS = [
    ("総第101号", "令和6年度 第1回総合計画審議会 会議録", "企画政策課", "2024-05-20", "2024-06-03", "10年", "公開",
     "総合計画 審議会", "shingikai.docx"),
    ("子第12号", "子育て支援センター運営要綱", "子育て支援課", "2024-04-01", "2024-03-25", "永年", "公開",
     "子育て 支援センター", "youkou.txt"),
    ("財第3号", "令和6年度 当初予算の概要", "財政課", "2024-03-01", "2024-02-20", "30年", "公開", "予算 歳入 歳出",
     "yosan.xlsx"),
    ("環第45号", "ごみ処理基本計画 中間見直し報告", "環境課", "2025-01-15", "", "10年", "部分公開", "ごみ 資源物",
     "gomi.txt"),
    ("建第7号", "町道中央線 改良工事 請負契約書", "建設課", "2024-07-10", "2024-07-08", "10年", "請求により判断",
     "町道 契約", ""),
    ("総第88号", "職員の人事評価結果", "総務課", "2024-12-01", "", "5年", "非公開", "人事評価", ""),
]  # fmt: skip


YOUKOU = [
    "子育て支援センター運営要綱",
    "第1条 この要綱は、子育て支援センターの運営に関し必要な事項を定める。",
    "第2条 センターは、親子の交流の場の提供、育児相談、子育て情報の提供を行う。",
]
GOMI = [
    "ごみ処理基本計画 中間見直し報告",
    "燃やすごみの量は計画策定時から8%減少した。",
    "資源物の回収率は目標に届いていない。",
]


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("令和6年度 第1回総合計画審議会 会議録", level=1)
    document.add_paragraph("日時：令和6年5月20日 午後2時から4時まで　場所：役場3階 大会議室")
    document.add_paragraph(
        "議題：第6次総合計画の進捗状況について。委員から子育て支援とコミュニティバスの利便性について意見があった。"
    )
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "出席委員", "12名"
    table.cell(1, 0).text, table.cell(1, 1).text = "欠席委員", "3名"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    income = workbook.active
    income.title = "歳入"
    for row in (["科目", "金額（千円）"], ["町税", 6120000], ["地方交付税", 4380000], ["国庫支出金", 2210000]):
        income.append(row)
    spending = workbook.create_sheet("歳出")
    for row in (["科目", "金額（千円）"], ["民生費", 5730000], ["教育費", 2050000], ["土木費", 1880000]):
        spending.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def load_catalogue_demo() -> int:
    """Add the demo documents not yet in the catalogue; returns how many were added."""
    existing = set(CatalogueDocument.objects.values_list("file_number", flat=True))
    rows = [row for row in ROWS if row[0] not in existing]
    if not rows:
        return 0
    files = {"shingikai.docx": _docx(), "yosan.xlsx": _xlsx()}
    files["youkou.txt"] = "\n".join(YOUKOU).encode()
    files["gomi.txt"] = "\n".join(GOMI).encode("cp932")  # as a Windows PC in the office saves it
    wanted = {name for row in rows for name in row[-1].split(";") if name}
    csv_text = "\n".join([HEADER, *(",".join(row) for row in rows)]) + "\n"
    documents = import_catalogue(csv_bytes=csv_text.encode("cp932"), files={n: files[n] for n in wanted})
    return len(documents)


def load_demo(people) -> list[str]:
    """``load_demo``'s part for the catalogue (see portal/demo.py)."""
    added = load_catalogue_demo()
    return [f"Document catalogue: /disclosure/ ({added} demo documents added)"] if added else []
