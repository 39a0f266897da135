"""Payment state and refund tiers of facility bookings (no online payment).

* :mod:`~facilities.payments.rules`: the pure rules: pay-by deadlines, refund tiers, payment states.
* :mod:`~facilities.payments.selectors`: refunds quoted, bookings due to lapse, accounting rows.
* :mod:`~facilities.payments.services`: staff record payments and refunds; refunds recorded on cancellation.
* :mod:`~facilities.payments.lapse`: unpaid provisional bookings past their deadline are cancelled (beat task).
* :mod:`~facilities.payments.exports`: the accounting office's CSV.
* :mod:`~facilities.payments.admin`: the staff pages in the Wagtail admin.
"""
