"""Usage records and penalties (利用実績とペナルティ): used / no-show marks, late cancellations, points, suspensions.

``rules`` is pure (points, windows, suspension lengths); ``models`` holds the records and the
suspensions (app label ``facilities``, imported by :mod:`facilities.models`); ``services`` writes
(marking, recording a late cancellation, suspending, lifting); ``selectors`` reads. The booking
and lottery services ask :func:`facilities.penalties.services.check_not_suspended`.
See docs/facilities.md, "Usage records and penalties".
"""
