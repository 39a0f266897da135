"""The verifiable lottery (commit–reveal): the commitment before the draw, the seed that cannot change,
the published draw and the verifier that reproduces it and catches tampering, the application numbers.

The fixtures and helpers are those of test_lottery.py (a hall with an arena and its halves).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from facilities.errors import LotteryError
from facilities.lottery import draw as pure_draw
from facilities.lottery import services as lottery_services
from facilities.lottery import verify
from facilities.lottery.selectors import public_document, replay
from facilities.models import LotteryApplication, LotteryRound, Reservation
from notifications.models import OutboundMail
from tests.facilities import test_lottery
from tests.facilities.test_lottery import after_close, make_round, pick, resident

hall = test_lottery.hall  # the fixture

ROOT = Path(__file__).resolve().parents[2]


def _contested_round(hall, n: int = 6, **kwargs) -> tuple[LotteryRound, list[LotteryApplication]]:
    """A round where everyone wants the arena on day 3 and some would take a half, or the room."""
    round = make_round(hall.facility, max_wins=1, **kwargs)
    applications = []
    for i in range(n):
        choices = [pick(hall, round, hall.arena, 3)]
        if i % 2:
            choices.append(pick(hall, round, hall.half_a if i < n // 2 else hall.half_b, 3))
        else:
            choices.append(pick(hall, round, hall.room, 3 + i % 3))
        applications.append(lottery_services.apply(user=resident(), round=round, choices=choices))
    return round, applications


def _drawn(hall, **kwargs) -> tuple[LotteryRound, list[LotteryApplication], dict]:
    round, applications = _contested_round(hall, **kwargs)
    lottery_services.draw(round, now=after_close(round))
    round.refresh_from_db()
    return round, applications, public_document(round)


# --- Commitment and seed ------------------------------------------------------------------
@pytest.mark.django_db
def test_the_commitment_published_before_the_draw_is_the_hash_of_the_seed_revealed_after_it(client, hall):
    round, applications = _contested_round(hall)
    before = client.get(reverse("facilities:lottery_round_json", args=[round.pk])).json()
    page = client.get(reverse("facilities:lottery_round", args=[round.pk])).content.decode()
    commitment = before["commitment"]
    assert len(commitment) == 64 and commitment in page
    # The seed is secret until the draw: not in the JSON, not on the page.
    assert before["seed"] is None and before["draw"] is None
    assert round.seed not in page and round.seed not in json.dumps(before)
    assert "抽選まで公開しません" in page

    lottery_services.draw(round, now=after_close(round))
    after = client.get(reverse("facilities:lottery_round_json", args=[round.pk])).json()
    assert after["commitment"] == commitment
    assert pure_draw.commitment_of(after["seed"]) == commitment
    # The order is the application numbers by SHA-256 of "seed:number", never database or user ids.
    numbers = sorted(a.number for a in applications)
    assert after["draw"]["order"] == sorted(numbers, key=lambda n: pure_draw.order_key(after["seed"], n))
    assert {a["number"] for a in after["draw"]["applications"]} == set(numbers)
    round.refresh_from_db()
    by_number = {a.number: a.pk for a in applications}
    assert round.draw_order == [by_number[n] for n in after["draw"]["order"]]
    # The published winners are the reservations the draw made.
    booked = {
        (r.lottery_choice.application.number, f"{r.date.isoformat()}/{r.unit_id}/{r.frame_id}")
        for r in Reservation.objects.filter(source=Reservation.Source.LOTTERY).select_related(
            "lottery_choice__application"
        )
    }
    assert {(w["number"], w["slot"]) for w in after["draw"]["winners"]} == booked and booked
    # Every applicant's result mail gives their number and the address of the public record.
    lottery_services.mail_results(round)
    mail = OutboundMail.objects.get(recipient=applications[0].user, category="facilities_lottery_result")
    assert f"あなたの申込番号：{applications[0].number}" in mail.body_text
    assert reverse("facilities:lottery_round", args=[round.pk]) in mail.body_text


@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_seed_cannot_change_after_the_commitment(hall):
    round = make_round(hall.facility)
    seed, commitment = round.seed, round.commitment
    assert commitment == pure_draw.commitment_of(seed) and round.committed_at is not None

    round.seed = "0" * 32
    with pytest.raises(LotteryError) as refused:
        round.save()
    assert refused.value.code == "seed_committed"
    round.commitment = pure_draw.commitment_of(round.seed)  # a new seed with a matching commitment
    with pytest.raises(LotteryError):
        round.save()
    # The database refuses it too, whatever the code does.
    for change in ({"seed": "0" * 32}, {"seed": "0" * 32, "commitment": pure_draw.commitment_of("0" * 32)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LotteryRound.objects.filter(pk=round.pk).update(**change)
    round.refresh_from_db()
    assert (round.seed, round.commitment) == (seed, commitment)
    # Other settings stay editable until the draw.
    round.max_wins = 3
    round.save()

    # The draw uses the committed seed, and its published record cannot be rewritten either.
    lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)])
    lottery_services.draw(round, now=after_close(round))
    round.refresh_from_db()
    assert round.seed == seed and round.published_draw["order"]
    with pytest.raises(IntegrityError), transaction.atomic():
        LotteryRound.objects.filter(pk=round.pk).update(published_draw={"order": []})


# --- The verifier -------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_verifier_reproduces_the_draw_and_detects_a_tampered_input(hall):
    round, applications, document = _drawn(hall)
    assert verify.verify(document).ok
    assert replay(round).matches

    def tampered(change) -> str:
        doc = copy.deepcopy(document)
        change(doc)
        return verify.verify(doc).code

    def renumber(doc):  # one application number changed in the inputs
        doc["draw"]["applications"][0]["number"] += 1

    def other_seed(doc):
        doc["seed"] = "f" * 32

    def other_seed_and_commitment(doc):
        doc["seed"] = "f" * 32
        doc["commitment"] = pure_draw.commitment_of("f" * 32)

    def other_winner(doc):
        winner = doc["draw"]["winners"][0]
        winner["number"] = next(n for n in doc["draw"]["order"] if n != winner["number"])

    def dropped_choice(doc):
        entry = next(a for a in doc["draw"]["applications"] if len(a["choices"]) > 1)
        entry["choices"] = entry["choices"][1:]

    def swapped_order(doc):
        doc["draw"]["order"][0], doc["draw"]["order"][1] = doc["draw"]["order"][1], doc["draw"]["order"][0]

    assert tampered(renumber) == "order_mismatch"
    assert tampered(other_seed) == "commitment_mismatch"  # refused: not the seed committed to
    assert tampered(other_seed_and_commitment) in ("order_mismatch", "winners_mismatch")
    assert tampered(other_winner) == "winners_mismatch"
    assert tampered(swapped_order) == "order_mismatch"
    assert tampered(dropped_choice) in ("winners_mismatch", "order_mismatch", "match")  # may not change the result
    assert tampered(lambda doc: doc["draw"].pop("slots")) == "malformed"
    assert tampered(lambda doc: doc.update(format="other")) == "malformed"
    assert verify.verify("not a document").code == "malformed"


@pytest.mark.django_db
def test_the_verifier_runs_without_django_on_the_published_json(hall, tmp_path):
    round, applications, document = _drawn(hall)
    good = tmp_path / "lottery.json"
    good.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    bad_document = copy.deepcopy(document)
    bad_document["draw"]["applications"][0]["number"] += 1
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(bad_document), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env["PYTHONPATH"] = str(ROOT)

    def run(*args):
        return subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
        )

    ok = run("-m", "facilities.lottery.verify", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "一致しました" in ok.stdout and "Match" in ok.stdout
    mismatch = run("-m", "facilities.lottery.verify", str(bad))
    assert mismatch.returncode == 1 and "不一致" in mismatch.stdout
    assert run("-m", "facilities.lottery.verify", str(tmp_path / "missing.json")).returncode == 2
    # Importing the verifier imports no Django at all.
    check = run("-c", "import sys, facilities.lottery.verify; assert 'django' not in sys.modules, 'django imported'")
    assert check.returncode == 0, check.stderr


@pytest.mark.django_db
def test_manage_verify_lottery_checks_the_published_draw_and_the_records(hall, tmp_path):
    round, applications, document = _drawn(hall)
    out = StringIO()
    saved = tmp_path / "saved.json"
    call_command("verify_lottery", str(round.pk), "--save", str(saved), stdout=out)
    assert "一致しました" in out.getvalue() and "記録との照合：一致" in out.getvalue()
    assert verify.verify(json.loads(saved.read_text(encoding="utf-8"))).ok

    # Someone moves a win to another applicant in the records: the records check fails.
    win = Reservation.objects.filter(source=Reservation.Source.LOTTERY).first()
    loser = LotteryApplication.objects.filter(round=round, status="lost").first()
    Reservation.objects.filter(pk=win.pk).update(user=loser.user)
    choice = win.lottery_choice
    choice.reservation = None
    choice.save()
    other = loser.choices.first()
    other.reservation = win
    other.save()
    with pytest.raises(CommandError):
        call_command("verify_lottery", str(round.pk), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("verify_lottery", "999999", stdout=StringIO())


@pytest.mark.django_db
def test_a_round_drawn_before_commitments_says_plainly_that_it_cannot_be_checked(client, hall):
    current = make_round(hall.facility)
    legacy = LotteryRound.objects.bulk_create(
        [
            LotteryRound(
                facility=hall.facility,
                month=current.month.replace(year=current.month.year - 1),
                opens_at=current.opens_at.replace(year=current.opens_at.year - 1),
                closes_at=current.closes_at.replace(year=current.closes_at.year - 1),
                status=LotteryRound.Status.DRAWN,
                seed="legacy-seed-0123",
                drawn_at=current.closes_at.replace(year=current.closes_at.year - 1),
            )
        ]
    )[0]
    assert not legacy.verifiable
    page = client.get(reverse("facilities:lottery_round", args=[legacy.pk])).content.decode()
    assert "公開データから検証することはできません" in page
    assert "legacy-seed-0123" not in page and '<code class="hash">' not in page
    data = client.get(reverse("facilities:lottery_round_json", args=[legacy.pk])).json()
    assert data["commitment"] is None and data["seed"] is None and data["draw"] is None
    assert verify.verify(data).code == "no_commitment"
    check = client.get(reverse("facilities:lottery_round_verify", args=[legacy.pk])).content.decode()
    assert "検証することはできません" in check and "✓" not in check
    out = StringIO()
    call_command("verify_lottery", str(legacy.pk), stdout=out)
    assert "検証することはできません" in out.getvalue()


# --- The public pages ---------------------------------------------------------------------
@pytest.mark.django_db
def test_the_round_page_publishes_the_seed_order_and_winners_and_the_check_page_reruns_it(client, hall):
    round, applications, document = _drawn(hall)
    page = client.get(reverse("facilities:lottery_round", args=[round.pk])).content.decode()
    assert round.seed in page and round.commitment in page
    order = document["draw"]["order"]
    assert page.index(f'<th scope="row">{order[0]}</th>') < page.index(f'<th scope="row">{order[-1]}</th>')
    assert "アリーナ全面" in page or "半面A" in page
    # No names or e-mail addresses of applicants, only their numbers.
    for application in applications:
        assert application.user.email not in page
        assert application.user.get_full_name() not in page

    check = client.get(reverse("facilities:lottery_round_verify", args=[round.pk]))
    assert check.status_code == 200 and "一致しました" in check.content.decode()

    # A saved file that was changed afterwards does not match.
    tampered = copy.deepcopy(document)
    tampered["draw"]["applications"][0]["number"] += 1
    upload = SimpleUploadedFile("lottery.json", json.dumps(tampered).encode(), content_type="application/json")
    response = client.post(reverse("facilities:lottery_round_verify", args=[round.pk]), {"file": upload})
    assert response.status_code == 200 and "この抽選の公開データと異なります" in response.content.decode()
    assert "applications" in response.content.decode()  # the part that differs
    tampered = copy.deepcopy(document)
    tampered["seed"] = "0" * 32
    upload = SimpleUploadedFile("lottery.json", json.dumps(tampered).encode(), content_type="application/json")
    response = client.post(reverse("facilities:lottery_round_verify", args=[round.pk]), {"file": upload})
    assert "拒否" in response.content.decode() and "一致しました" not in response.content.decode()
    upload = SimpleUploadedFile("lottery.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post(reverse("facilities:lottery_round_verify", args=[round.pk]), {"file": upload})
    assert "一致しました" in response.content.decode()
    # Not JSON: a clear message in Japanese.
    upload = SimpleUploadedFile("photo.json", b"\x89PNG not json", content_type="application/json")
    response = client.post(reverse("facilities:lottery_round_verify", args=[round.pk]), {"file": upload})
    assert response.status_code == 400 and "JSON" in response.content.decode()
    assert client.get(reverse("facilities:lottery_round", args=[999999])).status_code == 404


# --- Application numbers ------------------------------------------------------------------
@pytest.mark.django_db
def test_the_applicant_sees_their_own_number_and_another_resident_does_not(client, home, hall):
    owner, other = resident(), resident()
    round = make_round(hall.facility)
    mine = lottery_services.apply(user=owner, round=round, choices=[pick(hall, round, hall.room, 3)])
    theirs = lottery_services.apply(user=other, round=round, choices=[pick(hall, round, hall.room, 4)])
    assert LotteryApplication.NUMBERS[0] <= mine.number < LotteryApplication.NUMBERS[1]
    assert mine.number != theirs.number and mine.number not in (owner.pk, mine.pk)

    client.force_login(owner)
    for url in (reverse("facilities:lottery_mine"), reverse("facilities:lottery_round", args=[round.pk])):
        page = client.get(url).content.decode()
        assert f"あなたの申込番号：{mine.number}" in page
        assert str(theirs.number) not in page

    client.force_login(other)
    for url in (reverse("facilities:lottery_mine"), reverse("facilities:lottery_round", args=[round.pk])):
        page = client.get(url).content.decode()
        assert str(mine.number) not in page
    assert client.get(reverse("facilities:lottery_application", args=[mine.pk])).status_code == 404
    # Before the draw, nobody's number is public.
    client.logout()
    assert str(mine.number) not in client.get(reverse("facilities:lottery_round", args=[round.pk])).content.decode()
    assert (
        str(mine.number) not in client.get(reverse("facilities:lottery_round_json", args=[round.pk])).content.decode()
    )


@pytest.mark.django_db
def test_the_record_and_check_pages_are_valid_html(client, home, hall, tmp_path):
    from tests.test_html_valid import VNU_JAR, vnu_errors

    assert VNU_JAR.exists(), "npm ci installs vnu-jar (or link node_modules)"
    from django.utils import timezone

    from facilities import rules

    open_round = make_round(hall.facility, month=rules.first_of_month(timezone.localdate(), -3))
    owner = resident()
    lottery_services.apply(user=owner, round=open_round, choices=[pick(hall, open_round, hall.room, 3)])
    round, applications, document = _drawn(hall)
    client.force_login(owner)
    pages = {
        url: client.get(url).content.decode()
        for url in (
            reverse("facilities:lottery_round", args=[open_round.pk]),
            reverse("facilities:lottery_round", args=[round.pk]),
            reverse("facilities:lottery_round_verify", args=[round.pk]),
            reverse("facilities:lottery_rounds"),
            reverse("facilities:lottery_mine"),
        )
    }
    upload = SimpleUploadedFile("x.json", b"not json", content_type="application/json")
    pages["verify-error"] = client.post(
        reverse("facilities:lottery_round_verify", args=[round.pk]), {"file": upload}
    ).content.decode()
    assert vnu_errors(pages, tmp_path) == []
