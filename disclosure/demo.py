"""``load_demo``'s part for information disclosure (see portal/demo.py).

- the public document catalogue (``disclosure.catalogue.demo``);
- three decided requests of last fiscal year published in the archive, so /disclosure/archive/
  and /disclosure/statistics/ are not empty, one with a partly redacted PDF;
- the demo resident's own request, decided 部分開示, with its decision letter and a redacted file
  to download from /my/disclosure/.

Requests are written as rows, not through the services, so loading the demo mails nobody. The
requesters are invented. Safe to run again: nothing is added twice.
"""

from __future__ import annotations

import datetime
import uuid

import pymupdf
from django.core.files.base import ContentFile
from django.utils import timezone

from disclosure.archive import services as archive_services
from disclosure.catalogue.demo import load_catalogue_demo
from disclosure.models import Event, EventKind, ReceiptCounter, Request, Status
from disclosure.release import redaction
from disclosure.release.models import ReleasedFile

#: The demo requests are numbered in a year of their own, so they never take a real receipt number.
DEMO_YEAR = 2025
DEMO_EMAIL = "kokai.demo@example.jp"

PUBLISHED = [
    # seq, received, decided, outcome, department, document asked, published title, reason, lines of the PDF
    (
        1, datetime.date(2025, 5, 12), datetime.date(2025, 5, 23), Status.DISCLOSED, "生涯学習課",
        "町民プールの令和6年度の月別利用者数が分かる文書",
        "町民プール 令和6年度 月別利用者数",
        "",
        ["町民プール 月別利用者数（令和6年度）", "7月 3,412人", "8月 5,986人", "9月 1,204人"],
    ),
    (
        2, datetime.date(2025, 8, 4), datetime.date(2025, 8, 26), Status.PARTIAL, "建設課",
        "町道中央線改良工事の入札結果と業者の連絡先が分かる文書",
        "町道中央線改良工事 入札結果",
        "第7条第2号（個人に関する情報）：業者の担当者の氏名と携帯電話番号",
        ["町道中央線改良工事 入札結果", "落札者 みどり建設株式会社", "落札額 48,400,000円",
         "担当者 緑川 一郎 090-0000-1234"],
    ),
    (
        3, datetime.date(2025, 10, 1), datetime.date(2025, 10, 15), Status.NONEXISTENT, "総務課",
        "平成20年度の公用車の走行記録",
        "平成20年度 公用車の走行記録",
        "第11条第2項（文書不存在）：保存期間5年を過ぎ、平成26年に廃棄済み",
        [],
    ),
]  # fmt: skip
REDACT = "緑川 一郎 090-0000-1234"


def _pdf(lines: list[str]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)  # A4
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 28 * i), line, fontname="japan", fontsize=14)
    data = doc.tobytes(garbage=4, deflate=True)
    doc.close()
    return data


def _redacted(lines: list[str], reason: str) -> bytes:
    data = _pdf(lines)
    boxes = [
        redaction.Box(b.page, b.x0, b.y0, b.x1, b.y1, label=reason.split("（")[0])
        for b in redaction.find_phrase(data, REDACT)
    ]
    return redaction.redact(data, boxes)


def _attach(request: Request, *, kind: str, name: str, data: bytes, redacted: bool = False) -> None:
    released = ReleasedFile(
        request=request, kind=kind, name=name, content_type="application/pdf", size=len(data), pages=1,
        redacted=redacted,
    )  # fmt: skip
    released.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    released.save()


def _request(seq: int, received, decided, outcome, department: str, document: str, reason: str, **who) -> Request:
    request = Request.objects.create(
        number=f"R{DEMO_YEAR}-{seq:04d}", year=DEMO_YEAR, seq=seq, requester_type="individual",
        address="みどり町本町1-1", preferred_form="electronic", received_on=received, document=document,
        status=outcome, decided_on=decided, due_date=received + datetime.timedelta(days=15),
        department=department, reason=reason, **who,
    )  # fmt: skip
    at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(9)))
    Event.objects.create(request=request, kind=EventKind.FILED, status=Status.RECEIVED, at=at)
    at = timezone.make_aware(datetime.datetime.combine(decided, datetime.time(15)))
    Event.objects.create(request=request, kind=EventKind.DECIDED, status=outcome, note=reason, at=at)
    return request


def load_requests_demo(resident) -> int:
    """Add the demo requests if they are not there yet; returns how many were added."""
    if Request.objects.filter(year=DEMO_YEAR).exists():
        return 0
    for seq, received, decided, outcome, department, document, title, reason, lines in PUBLISHED:
        request = _request(
            seq, received, decided, outcome, department, document, reason, name="公開 請求者", email=DEMO_EMAIL
        )
        if outcome == Status.PARTIAL:
            _attach(request, kind="document", name=f"{title}_部分開示.pdf", data=_redacted(lines, reason),
                    redacted=True)  # fmt: skip
        elif lines:
            _attach(request, kind="document", name=f"{title}.pdf", data=_pdf(lines))
        archive_services.publish(request=request, by=None, title=title, text=document)

    # The demo resident's own request: decided in part, letter and redacted file to download.
    seq, received, decided, _outcome, department, document, title, reason, lines = PUBLISHED[1]
    mine = _request(
        4, received + datetime.timedelta(days=60), decided + datetime.timedelta(days=60), Status.PARTIAL, department,
        document, reason, user=resident, name=resident.get_full_name() or resident.email, email=resident.email,
    )  # fmt: skip
    _attach(mine, kind="letter", name="部分開示決定通知書.pdf",
            data=_pdf(["部分開示決定通知書", f"受付番号 {mine.number}", f"不開示の理由 {reason}"]))  # fmt: skip
    _attach(mine, kind="document", name=f"{title}_部分開示.pdf", data=_redacted(lines, reason), redacted=True)
    ReceiptCounter.objects.update_or_create(year=DEMO_YEAR, defaults={"last": 4})
    return 4


def load_demo(people) -> list[str]:
    """The catalogue, the published requests and the demo resident's own request."""
    lines = []
    added = load_catalogue_demo()
    if added:
        lines.append(f"Document catalogue: /disclosure/ ({added} demo documents added)")
    if load_requests_demo(people.resident):
        lines.append("Disclosure archive and statistics: /disclosure/archive/, /disclosure/statistics/?year=2025")
    return lines
