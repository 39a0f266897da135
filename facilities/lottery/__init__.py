"""The monthly lottery (抽選) of facility reservation.

* :mod:`~facilities.lottery.draw`: the draw itself, a pure seeded function (no database, no clock).
* :mod:`~facilities.lottery.selectors`: reads (open rounds, applications, the draw's inputs, the audit).
* :mod:`~facilities.lottery.services`: writes (apply, withdraw, draw, confirm, expire), each rule stated.
* :mod:`~facilities.lottery.tasks`: the Celery tasks (drawing closed rounds, result mails, expiring wins).
* :mod:`~facilities.lottery.views` and :mod:`~facilities.lottery.forms`: the residents' pages.

The staff pages (rounds, the draw's audit) are in :mod:`facilities.staff`; the booking rules the
lottery shares (groups, slot states) in :mod:`facilities.services`.
"""
