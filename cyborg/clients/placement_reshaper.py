"""The inventories of many providers in one request: Placement's reshaper.

``POST /reshaper`` (microversion 1.30+) replaces the inventories of every
provider it names, in one database transaction, each guarded by the
provider generation the caller sends. With ``allocations: {}`` it moves
no allocation: it is then a bulk "PUT inventories" (issue 14 item 5),
which :meth:`PlacementClient.set_inventories` uses for the providers a
report has just created, at most :data:`CHUNK` providers a request
(several chunks may go at once).

The answer is ``204`` with no body, so the new generations are computed
(:func:`generation_after`, checked against the real Placement by the
functional tests): the reshaper first writes an interim inventory when the
new one is not empty, then the final one, and each write increments the
generation. A foreign write after the reshape only makes the next write
conflict (409), which re-reads as every write does.

Refusals:

* 403: Placement's policy ``placement:reshaper:reshape`` defaults to
  ``role:service`` (``role:admin`` only where a cloud still allows
  deprecated defaults). A user without it is refused; the client then
  writes inventories one provider at a time for the rest of its lifetime
  (logged once, at WARNING).
* anything else (409 generation conflict or inventory in use, 400 unknown
  resource class, a server error): nothing of the chunk was written (one
  transaction); its providers are returned to the caller, which writes
  them one by one, where each failure stays with its own provider.
"""
import logging
import threading

from cyborg.common import bounded
from cyborg.common import exception

LOG = logging.getLogger(__name__)

CHUNK = 200
URL = '/reshaper'


def generation_after(generation, inventories):
    """A provider's generation after a reshape that set ``inventories``
    starting from ``generation``: +2 (interim and final write), +1 when
    the new inventory is empty (final write only)."""
    return generation + (2 if inventories else 1)


def _error_code(resp):
    try:
        return resp.json()['errors'][0].get('code')
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


class Reshaper:
    """Bulk inventory writes of one :class:`PlacementClient`."""

    def __init__(self, client, chunk=CHUNK):
        self._client = client
        self.chunk = chunk
        self.refused = False        # 403 once: never again
        self._lock = threading.Lock()

    def set_inventories(self, items, workers=1):
        """Replace each provider's inventories, :attr:`chunk` providers a
        request, up to ``workers`` requests at a time (the chunks are
        disjoint).

        ``items``: {rp_uuid: (state, inventories)}, each ``state`` a
        ``ProviderState`` whose generation is known; a written provider's
        state gets its new generation and inventories. Returns the
        rp_uuids not written, for the caller to write one by one.
        """
        uuids = sorted(items)
        chunks = [uuids[start:start + self.chunk]
                  for start in range(0, len(uuids), self.chunk)]

        def write(chunk):
            return self.refused or not self._post(
                {u: items[u] for u in chunk})
        failed = bounded.parallel_map(write, chunks, workers,
                                      'placement-reshape')
        return [u for chunk, bad in zip(chunks, failed) if bad
                for u in chunk]

    def _post(self, items):
        body = {'inventories': {
            rp_uuid: {'resource_provider_generation': state.generation,
                      'inventories': inventories}
            for rp_uuid, (state, inventories) in items.items()},
            'allocations': {}}
        try:
            resp = self._client._request('POST', URL, body)
        except exception.PlacementServerError as exc:
            LOG.warning('Bulk inventory write of %d providers failed (%s); '
                        'writing them one by one', len(items), exc)
            return False
        if resp.status_code == 204:
            for state, inventories in items.values():
                state.generation = generation_after(state.generation,
                                                    inventories)
                state.inventories = inventories
            return True
        if resp.status_code == 403:
            with self._lock:
                first, self.refused = not self.refused, True
            if first:
                LOG.warning('Placement refuses POST /reshaper to this user '
                            '(policy placement:reshaper:reshape, by default '
                            'role:service); inventories of new providers '
                            'are written one provider at a time from now '
                            'on (one more request per provider). Grant the '
                            'service role to cyborg\'s user to save them.')
            return False
        LOG.info('Bulk inventory write of %d providers answered %s (%s); '
                 'writing them one by one', len(items), resp.status_code,
                 _error_code(resp))
        return False
