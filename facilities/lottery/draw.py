"""The monthly lottery draw (抽選) as a pure function: no database, no clock, no global randomness.

The draw is a *random serial dictatorship* played in passes:

1. The order. Each application's number gets the key SHA-256 of ``"<seed>:<number>"`` (the
   seed and the number as text, UTF-8, the digest in lowercase hex); applicants are served by
   ascending key (:data:`SHA256_RULE`, every round with a published commitment; anyone can
   recompute it with ``sha256sum``, see ``docs/lottery-verification.md``). Rounds drawn before
   the draw was published used :data:`SHUFFLE_RULE`: the ids, sorted ascending, shuffled by
   ``random.Random(seed)``. Either way the same seed and the same applications always give the
   same order, which is recorded so staff can show how the draw went.
2. The passes. Going through the order, each applicant gets **one** slot per pass: their
   best-ranked choice that is still free. Then the next pass starts from the top of the order
   again, until a whole pass gives nobody anything. So with a limit of two wins, the first
   in the order cannot take a second slot before everyone else has had the chance of a first
   one; this is fairer than letting each applicant take all their wins at once.
3. The rules every result keeps:

   * a space is never given twice for overlapping times: a choice occupies every *space*
     (leaf unit) of its unit, so the whole arena and one of its halves conflict, and so does
     anything that was already booked before the draw (``occupied``);
   * nobody (a person, or a group counted as one applicant) wins more than ``max_wins`` slots,
     even with several applications;
   * every win is one of the winner's own choices, and each choice is won at most once.

Times only need to be comparable (datetimes in the service, integers in property tests).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One ranked wish: a slot (any hashable key) that holds ``spaces`` from ``start`` to ``end``."""

    slot: Hashable
    spaces: frozenset[int]
    start: Any
    end: Any


@dataclass(frozen=True)
class Application:
    """An applicant's choices, best first. ``applicant`` is who the win limit counts against."""

    id: int
    applicant: Hashable
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Assignment:
    """A win: ``application_id`` gets its choice number ``rank`` (1 = first choice)."""

    application_id: int
    applicant: Hashable
    rank: int
    slot: Hashable


@dataclass
class DrawResult:
    order: list[int]
    assignments: list[Assignment] = field(default_factory=list)

    def wins_of(self, application_id: int) -> list[Assignment]:
        return [a for a in self.assignments if a.application_id == application_id]


#: The ordering rule of verifiable rounds: ascending SHA-256 of ``"<seed>:<application number>"``.
SHA256_RULE = "sha256(seed:number)"
#: The ordering rule of rounds drawn before the commitment was published: ``random.Random(seed).shuffle``.
SHUFFLE_RULE = "python-random-shuffle"
RULES = (SHA256_RULE, SHUFFLE_RULE)


def commitment_of(seed: str) -> str:
    """The published commitment to a seed: the SHA-256 of its UTF-8 text, in lowercase hex."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def order_key(seed: str | int, number: int) -> str:
    """An application's place in the order under :data:`SHA256_RULE`: SHA-256 of ``"<seed>:<number>"``, hex."""
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def draw_order(seed: str | int, application_ids: Iterable[int], rule: str = SHA256_RULE) -> list[int]:
    """The order applicants are served in, under ``rule`` (see the module docstring)."""
    if rule == SHA256_RULE:
        return sorted(application_ids, key=lambda n: (order_key(seed, n), n))
    if rule == SHUFFLE_RULE:
        order = sorted(application_ids)
        random.Random(seed).shuffle(order)
        return order
    raise ValueError(f"unknown ordering rule: {rule}")


class _Occupancy:
    """Busy intervals per space, with an overlap test."""

    def __init__(self) -> None:
        self.busy: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
        self.slots: set[Hashable] = set()

    def add(self, spaces: Iterable[int], start: Any, end: Any) -> None:
        for space in spaces:
            self.busy[space].append((start, end))

    def is_free(self, choice: Choice) -> bool:
        if choice.slot in self.slots:
            return False
        for space in choice.spaces:
            for s, e in self.busy.get(space, ()):
                if s < choice.end and choice.start < e:
                    return False
        return True


def draw(
    *,
    seed: str | int,
    applications: Sequence[Application],
    occupied: Iterable[tuple[int, Any, Any]] = (),
    max_wins: int,
    rule: str = SHA256_RULE,
) -> DrawResult:
    """Draw the lottery: who gets which slot (see the module docstring for the rules).

    ``occupied`` are ``(space, start, end)`` intervals already booked before the draw; ``rule``
    is the ordering rule (:data:`SHA256_RULE` or :data:`SHUFFLE_RULE`). The result holds the
    order and the assignments in the order they were made.
    """
    by_id = {a.id: a for a in applications}
    if len(by_id) != len(applications):
        raise ValueError("application ids must be unique")
    order = draw_order(seed, by_id, rule)
    result = DrawResult(order=order)
    if max_wins < 1:
        return result
    taken = _Occupancy()
    for space, start, end in occupied:
        taken.add((space,), start, end)
    wins: dict[Hashable, int] = defaultdict(int)
    # Per application, the index of its next choice to try. A choice found taken stays taken
    # (nothing is ever freed during a draw), so it is never looked at again.
    next_choice = dict.fromkeys(order, 0)
    active = [app_id for app_id in order if by_id[app_id].choices]
    while active:
        still_active = []
        for app_id in active:
            app = by_id[app_id]
            if wins[app.applicant] >= max_wins:
                continue
            index = next_choice[app_id]
            while index < len(app.choices) and not taken.is_free(app.choices[index]):
                index += 1
            if index == len(app.choices):
                continue
            choice = app.choices[index]
            taken.add(choice.spaces, choice.start, choice.end)
            taken.slots.add(choice.slot)
            wins[app.applicant] += 1
            result.assignments.append(Assignment(app_id, app.applicant, index + 1, choice.slot))
            next_choice[app_id] = index + 1
            if next_choice[app_id] < len(app.choices):
                still_active.append(app_id)
        active = still_active
    return result
