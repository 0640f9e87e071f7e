"""Helpers shared by the renderers: timestamps and links (api.md §4, §7)."""
import datetime


def timestamp(value):
    """ISO 8601 with ``T`` and an explicit ``+00:00``; None stays None.

    Stored timestamps are naive UTC; microseconds are kept when present.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    else:
        value = value.astimezone(datetime.timezone.utc)
    return value.isoformat()


def self_links(req, collection, uuid):
    """The one-element ``links`` array of a v2 resource."""
    return [req.link(collection, uuid)]
