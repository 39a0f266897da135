"""``{% health_records_part record %}``: the record page's links to medical history, medicines,
allergies and check-up results, with how many of each (one query)."""

from django import template

from health.records import kinds, selectors

register = template.Library()


@register.inclusion_tag("health/records/record_part.html")
def health_records_part(record):
    counts = selectors.counts_of(record)
    return {"record": record, "kinds": [(kind, counts[slug]) for slug, kind in kinds.KINDS.items()]}
