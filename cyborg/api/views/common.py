"""Helpers shared by the renderers: timestamps and links (api.md §4, §7)."""
import datetime
from urllib import parse


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


def paged(req, key, items, collection, more):
    """``{key: items}``, plus ``<key>_links`` with a ``next`` link when
    more rows follow (the shape of Nova's paged lists): the request's own
    query with ``marker`` set to the last item's uuid."""
    body = {key: items}
    if more and items:
        params = [(name, value) for name, value in req.http.GET.items()
                  if name != 'marker']
        params.append(('marker', items[-1]['uuid']))
        href = req.link(collection)['href'] + '?' + parse.urlencode(params)
        body[key + '_links'] = [{'href': href, 'rel': 'next'}]
    return body
