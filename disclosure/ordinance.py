"""The town's ordinance as the deadline engine reads it.

``TOWN_ORDINANCE`` is the rule set of this town (15 calendar days, day 1 the day after receipt, a
last day on a closed day moves to the next open day, extensions up to 30 days). A town with
another ordinance changes it here. The days the town closes on top of it are ``ClosedDay`` rows,
added by staff in the admin.
"""

from __future__ import annotations

from disclosure.deadlines import Ordinance

TOWN_ORDINANCE = Ordinance()

#: Staff are warned this many open days before a due date (disclosure.warn_due_soon).
WARN_BUSINESS_DAYS = 3
