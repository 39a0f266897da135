"""The staff's pages of facility reservation in the Wagtail admin (施設予約).

* :mod:`~facilities.staff.permissions`: what the 施設 group may do on each list (model permissions).
* :mod:`~facilities.staff.views`: the lists, the staff actions (book for a customer, block,
  cancel, payments, deciding on a group), the occupancy report and the lottery's draw audit.
* :mod:`~facilities.staff.forms`: their forms, the reservations list's filters and the set-up forms.
* :mod:`~facilities.staff.exports`: a reservation as a spreadsheet row (CSV export, action pages).
* :mod:`~facilities.staff.reports`: the occupancy report (利用率), a read.
* :mod:`~facilities.staff.charts`: the report's bar chart as SVG geometry.

The menu and URLs are registered in :mod:`facilities.wagtail_hooks`; templates stay in
``facilities/templates/facilities/admin/``.
"""
