"""Check a published lottery draw from its JSON alone: no Django, no database, only the standard library.

Run it on the JSON a round's page links to (``/facilities/lottery/<id>/draw.json``)::

    python -m facilities.lottery.verify draw.json

It checks, in this order (``docs/lottery-verification.md`` explains each step):

1. the round published a commitment (rounds drawn before that did not: nothing to check);
2. the round is drawn (before the draw the seed is secret);
3. the SHA-256 of the revealed seed is the commitment published before the applications
   (otherwise the document is refused: the seed is not the one committed to);
4. the draw re-run from the published inputs with :func:`facilities.lottery.draw.draw` gives the
   published order of application numbers;
5. and the published winners of each slot.

The exit status is 0 when the draw is reproduced, 1 when it is not, 2 when the file cannot be read.
:func:`published_draw` is how the site writes the inputs and result, :func:`verify` how they are read
back, so both sides share one format.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from facilities.lottery.draw import RULES, Application, Choice, DrawResult, commitment_of, draw

#: The ``format`` of the published document.
FORMAT = "machi-portal-lottery/1"

#: The outcome codes of :func:`verify`, with what they mean in Japanese and English.
MESSAGES: dict[str, tuple[str, str]] = {
    "match": (
        "一致しました。公開された種（シード）はあらかじめ公開されたコミットメントと一致し、公開された申込から抽選をやり直すと、公開された順番と当選者がそのまま再現されました。",
        "Match: the seed hashes to the commitment published in advance, and re-running the draw from the "
        "published applications gives the published order and winners.",
    ),
    "no_commitment": (
        "この抽選はコミットメント（種のハッシュ）の事前公開を始める前に行われたため、公開データから検証することはできません。",
        "This lottery was drawn before commitments were published: it cannot be verified from published data.",
    ),
    "not_drawn": (
        "まだ抽選が行われていません。種は抽選のときまで公開されません。",
        "Not drawn yet: the seed stays secret until the draw.",
    ),
    "commitment_mismatch": (
        "拒否：公開された種のSHA-256がコミットメントと一致しません。この種は事前に約束された種ではありません。",
        "Refused: the SHA-256 of the seed is not the published commitment; this is not the committed seed.",
    ),
    "unknown_rule": (
        "拒否：順番の決め方（ordering_rule）がこの検証プログラムの知らないものです。",
        "Refused: the ordering rule is unknown to this verifier.",
    ),
    "differs": (
        "不一致：このファイルは、この抽選の公開データと異なります。保存した後に書き換えられたか、別の抽選のデータです。",
        "Mismatch: this file differs from this lottery's published data: it was changed after it was saved, "
        "or it is another lottery's.",
    ),
    "malformed": (
        "拒否：データの形式が正しくありません。",
        "Refused: the document is not a published lottery draw.",
    ),
    "order_mismatch": (
        "不一致：公開データから抽選をやり直すと、申込番号の順番が公開された順番と違います。",
        "Mismatch: re-running the draw gives another order of application numbers than the published one.",
    ),
    "winners_mismatch": (
        "不一致：公開データから抽選をやり直すと、当選者が公開された当選者と違います。",
        "Mismatch: re-running the draw gives other winners than the published ones.",
    ),
}


class Malformed(ValueError):
    """The document is not a published draw (a field is missing or has the wrong type)."""


@dataclass
class Verification:
    """The outcome of :func:`verify`: ``code`` is one of :data:`MESSAGES`."""

    code: str
    detail: str = ""
    #: the draw re-run from the published inputs (when it got that far)
    order: list[int] = field(default_factory=list)
    winners: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.code == "match"

    @property
    def message_ja(self) -> str:
        return MESSAGES[self.code][0]

    @property
    def message_en(self) -> str:
        return MESSAGES[self.code][1]


# --- Writing ------------------------------------------------------------------------------
def _time(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def published_draw(
    *,
    rule: str,
    max_wins: int,
    applications: Sequence[Application],
    occupied: Iterable[tuple[int, Any, Any]],
    result: DrawResult,
    slot_ids: dict[Hashable, str],
    slot_labels: dict[Hashable, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The published inputs and result of a draw, as the JSON document's ``draw`` part.

    ``applications`` are those the draw was given (each ``id`` an application number), with the
    choices that took part; ``slot_ids`` names each slot key with a stable text id and
    ``slot_labels`` adds what people read (date, time, unit) to each slot.
    """
    slots: dict[str, dict[str, Any]] = {}
    for application in applications:
        for choice in application.choices:
            sid = slot_ids[choice.slot]
            if sid not in slots:
                slots[sid] = {
                    "id": sid,
                    **(slot_labels or {}).get(choice.slot, {}),
                    "start": _time(choice.start),
                    "end": _time(choice.end),
                    "spaces": sorted(choice.spaces),
                }
    return {
        "ordering_rule": rule,
        "max_wins": max_wins,
        "slots": sorted(slots.values(), key=lambda s: (str(s["start"]), s["id"])),
        "occupied": sorted(([space, _time(start), _time(end)] for space, start, end in occupied), key=str),
        "applications": [
            {"number": a.id, "choices": [slot_ids[c.slot] for c in a.choices]}
            for a in sorted(applications, key=lambda a: a.id)
        ],
        "order": list(result.order),
        "winners": [
            {"slot": slot_ids[a.slot], "number": a.application_id, "choice": a.rank} for a in result.assignments
        ],
    }


# --- Reading ------------------------------------------------------------------------------
def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Malformed(f"not a time: {value!r}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise Malformed(f"not a time: {value!r}") from exc


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Malformed(f"{what} is not a whole number: {value!r}")
    return value


def draw_inputs(part: dict[str, Any]) -> tuple[list[Application], list[tuple[int, datetime, datetime]], int, str]:
    """The pure draw's inputs read back from a document's ``draw`` part (raises :class:`Malformed`)."""
    try:
        slots = {}
        for slot in part["slots"]:
            slots[str(slot["id"])] = Choice(
                slot=str(slot["id"]),
                spaces=frozenset(_int(s, "a space") for s in slot["spaces"]),
                start=_parse_time(slot["start"]),
                end=_parse_time(slot["end"]),
            )
        applications = []
        for entry in part["applications"]:
            number = _int(entry["number"], "an application number")
            unknown = [s for s in entry["choices"] if s not in slots]
            if unknown:
                raise Malformed(f"application {number} chose unknown slots: {unknown}")
            # Each application is one applicant (one per person, one per group in a round).
            applications.append(Application(number, number, tuple(slots[s] for s in entry["choices"])))
        if len({a.id for a in applications}) != len(applications):
            raise Malformed("an application number appears twice")
        occupied = [(_int(s, "a space"), _parse_time(a), _parse_time(b)) for s, a, b in part["occupied"]]
        return applications, occupied, _int(part["max_wins"], "max_wins"), str(part["ordering_rule"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, Malformed):
            raise
        raise Malformed(f"{type(exc).__name__}: {exc}") from exc


def verify(document: Any) -> Verification:
    """Check a published lottery document (see the module docstring); never raises on bad input."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return Verification("malformed", f"the format is not {FORMAT}")
    commitment = document.get("commitment")
    if not commitment:
        return Verification("no_commitment")
    seed, part = document.get("seed"), document.get("draw")
    if not seed or not part:
        return Verification("not_drawn")
    if not isinstance(seed, str) or not isinstance(commitment, str) or commitment_of(seed) != commitment.lower():
        return Verification("commitment_mismatch", f"sha256(seed) = {commitment_of(str(seed))}, not {commitment}")
    if not isinstance(part, dict):
        return Verification("malformed", "the draw is not an object")
    try:
        applications, occupied, max_wins, rule = draw_inputs(part)
        if rule not in RULES:
            return Verification("unknown_rule", rule)
        result = draw(seed=seed, applications=applications, occupied=occupied, max_wins=max_wins, rule=rule)
        published_order = list(part["order"])
        published_winners = [
            (str(w["slot"]), _int(w["number"], "a winner's number"), _int(w["choice"], "a choice"))
            for w in part["winners"]
        ]
    except (Malformed, KeyError, TypeError) as exc:
        return Verification("malformed", str(exc))
    winners = [{"slot": a.slot, "number": a.application_id, "choice": a.rank} for a in result.assignments]
    outcome = Verification("match", order=result.order, winners=winners)
    if result.order != published_order:
        moved = next(
            i
            for i, pair in enumerate(zip(result.order + [None], published_order + [None], strict=False))
            if pair[0] != pair[1]
        )
        outcome.code, outcome.detail = "order_mismatch", f"the orders differ from position {moved + 1}"
    elif [(a.slot, a.application_id, a.rank) for a in result.assignments] != published_winners:
        outcome.code = "winners_mismatch"
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("使い方 / usage: python -m facilities.lottery.verify <draw.json>", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, ValueError) as exc:
        print(f"読み込めません / cannot read {argv[0]}: {exc}", file=sys.stderr)
        return 2
    outcome = verify(document)
    print(outcome.message_ja)
    print(outcome.message_en)
    if outcome.detail:
        print(f"({outcome.detail})")
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
