"""The safety staff admin in Wagtail, for the 学校・見守り group: broadcasts, and people, cards, terminals and taps."""

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_broadcast_viewset():
    from safety.staff.broadcasts import broadcast_viewset

    return broadcast_viewset


@hooks.register("register_admin_viewset")
def register_safety_people_viewsets():
    """Pupils, watched people, consent, cards, terminals, mail wording and taps (safety.staff.people)."""
    from safety.staff.people import SafetyAdminGroup, member_chooser_viewset

    return [member_chooser_viewset, SafetyAdminGroup()]
