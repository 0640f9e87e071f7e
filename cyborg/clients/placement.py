"""The one way cyborg talks to Placement (internals.md §4.4, decisions D3).

A narrow client over a keystoneauth adapter. Every request pins
``OpenStack-API-Version: placement 1.39`` (:data:`MICROVERSION`, newest of
openstack-placement 7-16); the oldest version each method relies on:
providers (GET ``?name=``/``?in_tree=``, delete) 1.14; create provider
(POST returns the body) 1.20; resource classes (PUT creates) 1.7;
inventories (``reserved`` may equal ``total``) 1.26; traits 1.6;
allocations and usages 1.0.

Writes follow decisions D3.5/D3.7: inventory and trait writes carry the
generation read just before and retry a 409 conflict with a fresh read
(``max_retries``); fields we do not own (``reserved``, ``allocation_ratio``,
``min_unit``, ``step_size``) are kept; nothing is written when nothing
changes; traits and resource classes are never deleted globally; a
provider with allocations is never deleted.

Calls are kept to what a write needs (issue 14 item 5): a provider that is
probably new is created first (``POST`` answers with its generation, 1.20)
rather than looked up; a caller that already knows a provider's generation
and contents passes a :class:`ProviderState`, so that a write need not read
first (only the first attempt trusts it: a 409 re-reads, and each write
keeps it current from Placement's answer); the custom traits known to exist
are remembered for :data:`TRAIT_CACHE_TTL` seconds, and forgotten when a
trait write is refused with a 4xx. A new device provider thus costs three
calls: create, inventory, traits; or about two when the inventories of the
providers a report creates are set together (:meth:`PlacementClient.
set_inventories`: Placement's reshaper, ``POST /reshaper``, 1.30+, up to
200 providers a request; ``cyborg.clients.placement_reshaper``).

A 5xx or a connection failure raises ``PlacementServerError``; other
unexpected answers raise :class:`PlacementRequestFailed`. ``stats`` counts
requests per HTTP method, so tests can assert that a repeated identical
report makes no writes (``client.writes == 0``).
"""
import logging
import operator
import re
import threading
import time
import urllib.parse
import uuid as uuidlib

from keystoneauth1 import exceptions as ks_exc
import os_resource_classes
import os_traits

from cyborg.clients import ksa
from cyborg.clients import placement_reshaper
from cyborg.common import exception
from cyborg.common.exception import InvalidResourceClass  # noqa: F401
from cyborg.common.exception import PlacementGenerationConflict
from cyborg.common.exception import PlacementInventoryInUse
from cyborg.common.exception import PlacementInventoryNotFound
from cyborg.common.exception import PlacementRequestFailed
from cyborg.common.exception import ResourceProviderInUse
from cyborg.common.exception import ResourceProviderNameConflict

LOG = logging.getLogger(__name__)

MICROVERSION = '1.39'
MAX_RETRIES = 4
TRAIT_CACHE_TTL = 60.0

_CUSTOM_RE = re.compile(r'^CUSTOM_[A-Z0-9_]{1,248}$')
_STANDARD_TRAITS = frozenset(os_traits.get_traits())
_STANDARD_CLASSES = frozenset(os_resource_classes.STANDARDS)
_INVENTORY_DEFAULTS = {'reserved': 0, 'min_unit': 1, 'step_size': 1,
                       'allocation_ratio': 1.0}
_INVENTORY_IN_USE = 'placement.inventory.inuse'


def is_valid_trait(name):
    """A standard os-traits name or ``CUSTOM_[A-Z0-9_]+`` (max 255)."""
    return name in _STANDARD_TRAITS or bool(_CUSTOM_RE.match(name or ''))


def is_standard_resource_class(name):
    return name in _STANDARD_CLASSES


def _error(resp):
    """The first entry of Placement's ``{"errors": [...]}`` body."""
    try:
        errors = resp.json().get('errors')
    except (ValueError, AttributeError):
        errors = None
    error = errors[0] if errors and isinstance(errors[0], dict) else {}
    return error.get('code'), error.get('detail') or resp.text[:500]


def _error_code(resp):
    return _error(resp)[0]


def _error_detail(resp):
    return _error(resp)[1]


def _same_inventories(current, wanted):
    def filled(inventories):
        return {rc: {**_INVENTORY_DEFAULTS, **record}
                for rc, record in inventories.items()}
    return filled(current) == filled(wanted)


class ProviderState:
    """What a caller knows of one provider without reading it.

    ``generation`` (None: unknown), and ``inventories`` ({rc: record}) and
    ``traits`` (a set) when known (None: unknown). A write trusts it on
    its first attempt only, keeps it current from Placement's answer and
    forgets it on a conflict.
    """

    def __init__(self, generation=None, inventories=None, traits=None):
        self.generation = generation
        self.inventories = inventories
        self.traits = traits

    @classmethod
    def of(cls, provider):
        """The state of a provider as Placement just returned it. A
        provider at generation 0 was never written to: no inventory, no
        trait."""
        generation = provider.get('generation')
        if generation == 0:
            return cls(0, {}, set())
        return cls(generation)

    def forget(self):
        self.generation = self.inventories = self.traits = None


class _TraitCache:
    """Custom trait names known to exist, each for ``ttl`` seconds."""

    def __init__(self, ttl):
        self.ttl = ttl
        self._expiry = {}
        self._lock = threading.Lock()

    def unknown(self, names):
        now = time.monotonic()
        with self._lock:
            return [n for n in names if self._expiry.get(n, 0) <= now]

    def add(self, names):
        expiry = time.monotonic() + self.ttl
        with self._lock:
            for name in names:
                self._expiry[name] = expiry

    def clear(self):
        with self._lock:
            self._expiry.clear()


class PlacementClient:
    """Placement operations cyborg needs, nothing more.

    :param adapter: a keystoneauth adapter (tests, standalone mode); when
        None one is built from the ``[placement]`` group of ``conf``.
    :param bulk_inventory: False never uses the reshaper
        (:meth:`set_inventories` then writes nothing and says so).
    """

    def __init__(self, adapter=None, conf=None, group='placement',
                 max_retries=MAX_RETRIES, trait_cache_ttl=TRAIT_CACHE_TTL,
                 bulk_inventory=True):
        if adapter is None:
            adapter = ksa.adapter_from_conf(group, conf)
        self._adapter = adapter
        self.max_retries = max_retries
        self.known_traits = _TraitCache(trait_cache_ttl)
        self.reshaper = placement_reshaper.Reshaper(self)
        self.reshaper.refused = not bulk_inventory
        self._stats_lock = threading.Lock()
        self.stats = {}
        self.reset_stats()


    def reset_stats(self):
        self.stats = {'GET': 0, 'PUT': 0, 'POST': 0, 'DELETE': 0}

    @property
    def writes(self):
        """Number of non-GET requests made since the last reset."""
        return sum(n for m, n in self.stats.items() if m != 'GET')

    def _request(self, method, url, body=None):
        headers = {'Accept': 'application/json',
                   'OpenStack-API-Version': 'placement ' + MICROVERSION}
        kwargs = {'headers': headers, 'raise_exc': False}
        if body is not None:
            kwargs['json'] = body
        with self._stats_lock:      # reports write from several threads
            self.stats[method] = self.stats.get(method, 0) + 1
        started = time.monotonic()
        try:
            resp = self._adapter.request(url, method, **kwargs)
        except ks_exc.ClientException as exc:
            LOG.debug('Placement %s %s failed: %s', method, url, exc)
            raise exception.PlacementServerError(
                message='Placement %s %s failed: %s' % (method, url, exc))
        LOG.debug('Placement %s %s -> %s (%.3fs)', method, url,
                  resp.status_code, time.monotonic() - started)
        if resp.status_code >= 500:
            raise exception.PlacementServerError(
                message='Placement %s %s answered %s: %s' % (
                    method, url, resp.status_code, _error_detail(resp)))
        return resp

    @staticmethod
    def _fail(method, url, resp):
        raise PlacementRequestFailed(method=method, url=url,
                                     status=resp.status_code,
                                     detail=_error_detail(resp))

    def _get(self, url, not_found=None):
        """GET returning the body; 404 -> ``not_found`` (an exception or
        a value to return)."""
        resp = self._request('GET', url)
        if resp.status_code == 200:
            return resp.json()
        if resp.status_code == 404:
            if isinstance(not_found, Exception):
                raise not_found
            return not_found
        self._fail('GET', url, resp)


    @staticmethod
    def provider_uuid_for(deployable_name):
        """uuid3(NAMESPACE_DNS, name): upstream's device provider uuid."""
        return str(uuidlib.uuid3(uuidlib.NAMESPACE_DNS, deployable_name))

    def get_provider(self, rp_uuid):
        """``GET /resource_providers/{uuid}`` -> provider dict or None."""
        return self._get('/resource_providers/%s' % rp_uuid)

    def get_provider_by_name(self, name):
        """``GET /resource_providers?name=`` -> provider dict or None."""
        url = '/resource_providers?' + urllib.parse.urlencode({'name': name})
        providers = self._get(url)['resource_providers']
        return providers[0] if providers else None

    def list_children(self, parent_uuid):
        """Direct children of a provider (``?in_tree=``, since 1.14)."""
        url = '/resource_providers?in_tree=%s' % parent_uuid
        providers = self._get(url)['resource_providers']
        return [p for p in providers
                if p.get('parent_provider_uuid') == parent_uuid]

    def list_tree(self, root_uuid, required=()):
        """Every provider of the tree of ``root_uuid`` (``?in_tree=``),
        the root included; ``required`` traits filter them (1.18+). One
        request."""
        query = [('in_tree', root_uuid)]
        if required:
            query.append(('required', ','.join(sorted(required))))
        url = '/resource_providers?' + urllib.parse.urlencode(query)
        return self._get(url)['resource_providers']

    def _create_provider(self, body):
        """``POST /resource_providers`` (returns the provider since 1.20).

        Returns (provider or None on 409, response)."""
        resp = self._request('POST', '/resource_providers', body)
        if resp.status_code == 200:
            return resp.json(), resp
        if resp.status_code == 409:
            return None, resp
        self._fail('POST', '/resource_providers', resp)

    def ensure_compute_node(self, name, uuid=None):
        """Standalone mode: the root provider ``name``, created if missing."""
        provider = self.get_provider_by_name(name)
        if provider is not None:
            return provider
        body = {'name': name}
        if uuid:
            body['uuid'] = uuid
        provider, resp = self._create_provider(body)
        if provider is None:
            provider = self.get_provider_by_name(name)
            if provider is None:
                raise ResourceProviderNameConflict(
                    uuid=uuid, name=name, other=_error_detail(resp))
        LOG.info('Compute node provider %s is %s', name, provider['uuid'])
        return provider

    def ensure_provider(self, rp_uuid, name, parent_uuid, likely_new=False):
        """The provider ``rp_uuid`` under ``parent_uuid``, created if missing.

        ``likely_new``: create first and look up only when Placement says
        it exists (one call instead of two for a new provider). A name
        already used by another provider raises
        :class:`ResourceProviderNameConflict`; an unknown parent raises
        ``PlacementResourceProviderNotFound``.
        """
        provider = None if likely_new else self.get_provider(rp_uuid)
        if provider is None:
            provider, resp = self._create_child(rp_uuid, name, parent_uuid)
            if provider is not None:
                return provider
            provider = self.get_provider(rp_uuid)   # exists, or lost a race
            if provider is None:
                other = self.get_provider_by_name(name)
                raise ResourceProviderNameConflict(
                    uuid=rp_uuid, name=name,
                    other=other['uuid'] if other else _error_detail(resp))
        if (provider['name'] != name or
                provider.get('parent_provider_uuid') != parent_uuid):
            LOG.warning('Resource provider %s is named %s under %s; expected '
                        '%s under %s', rp_uuid, provider['name'],
                        provider.get('parent_provider_uuid'), name,
                        parent_uuid)
        return provider

    def _create_child(self, rp_uuid, name, parent_uuid):
        """(provider or None on 409, response) of creating it."""
        body = {'uuid': rp_uuid, 'name': name,
                'parent_provider_uuid': parent_uuid}
        try:
            return self._create_provider(body)
        except PlacementRequestFailed as exc:
            if exc.kwargs['status'] == 400 and \
                    self.get_provider(parent_uuid) is None:
                raise exception.PlacementResourceProviderNotFound(
                    resource_provider=parent_uuid)
            raise

    def update_provider(self, rp_uuid, name, parent_uuid):
        """Rename / re-parent a provider (1.37 allows re-parenting);
        returns the provider as Placement answers."""
        url = '/resource_providers/%s' % rp_uuid
        resp = self._request('PUT', url, {
            'name': name, 'parent_provider_uuid': parent_uuid})
        if resp.status_code != 200:
            self._fail('PUT', url, resp)
        return resp.json()

    def delete_provider(self, rp_uuid):
        """Delete a provider and its children (children first).

        Nothing is deleted when the provider or one of its children has
        allocations: :class:`ResourceProviderInUse` is raised. Returns False
        when the provider did not exist.
        """
        if self.get_provider(rp_uuid) is None:
            return False
        children = self.list_children(rp_uuid)
        for rp in [rp_uuid] + [c['uuid'] for c in children]:
            if self.get_allocations(rp):
                raise ResourceProviderInUse(uuid=rp_uuid)
        for child in children:
            self.delete_provider(child['uuid'])
        url = '/resource_providers/%s' % rp_uuid
        resp = self._request('DELETE', url)
        if resp.status_code == 204:
            LOG.info('Deleted resource provider %s', rp_uuid)
            return True
        if resp.status_code == 404:
            return False
        if resp.status_code == 409:
            raise ResourceProviderInUse(uuid=rp_uuid)
        self._fail('DELETE', url, resp)

    def get_allocations(self, rp_uuid):
        """``GET .../allocations`` -> {consumer uuid: {'resources': ...}}."""
        url = '/resource_providers/%s/allocations' % rp_uuid
        return self._get(url, self._not_found(rp_uuid))['allocations']

    def get_usages(self, rp_uuid):
        """``GET .../usages`` -> {resource class: used amount}."""
        url = '/resource_providers/%s/usages' % rp_uuid
        return self._get(url, self._not_found(rp_uuid))['usages']

    @staticmethod
    def _not_found(rp_uuid):
        return exception.PlacementResourceProviderNotFound(
            resource_provider=rp_uuid)


    def ensure_resource_class(self, name):
        """Create custom class ``name`` if missing; True when created.

        Standard classes make no call. ``GET`` first, so an existing class
        costs no write; ``PUT /resource_classes/{name}`` creates (1.7+).
        """
        if is_standard_resource_class(name):
            return False
        if not _CUSTOM_RE.match(name or ''):
            raise InvalidResourceClass(name=name)
        url = '/resource_classes/%s' % name
        if self._get(url) is not None:
            return False
        resp = self._request('PUT', url)
        if resp.status_code in (201, 204):
            return resp.status_code == 201
        self._fail('PUT', url, resp)


    def _read_inventories(self, rp_uuid):
        url = '/resource_providers/%s/inventories' % rp_uuid
        body = self._get(url, self._not_found(rp_uuid))
        return body['resource_provider_generation'], body['inventories']

    def get_inventories(self, rp_uuid):
        """{resource class: inventory record} of a provider."""
        return self._read_inventories(rp_uuid)[1]

    def _read_modify_write(self, rp_uuid, what, read, compute, body,
                           same=operator.eq, state=None):
        """Generation-guarded update of a provider's ``what``.

        ``read(rp_uuid) -> (generation, current)``; ``compute(current) ->
        wanted`` (no write when ``same``); ``body(generation, wanted)`` is
        the PUT body. ``state`` (a :class:`ProviderState`), when it knows
        the generation and ``what``, replaces the first read, and is kept
        current. A 409 generation conflict re-reads and retries; returns
        True when written.
        """
        url = '/resource_providers/%s/%s' % (rp_uuid, what)
        if state is None:
            state = ProviderState()
        for _attempt in range(self.max_retries + 1):
            current = getattr(state, what)
            if state.generation is None or current is None:
                state.generation, current = read(rp_uuid)
                setattr(state, what, current)
            generation = state.generation
            wanted = compute(current)
            if same(current, wanted):
                return False
            resp = self._request('PUT', url, body(generation, wanted))
            if resp.status_code == 200:
                answer = resp.json()
                state.generation = answer['resource_provider_generation']
                setattr(state, what, _contents(what, answer))
                return True
            state.forget()
            code = _error_code(resp)
            if resp.status_code == 409 and code == _INVENTORY_IN_USE:
                raise PlacementInventoryInUse(uuid=rp_uuid,
                                              detail=_error_detail(resp))
            if resp.status_code == 409:
                LOG.debug('Generation conflict on %s of %s (%s); retrying',
                          what, rp_uuid, code)
                continue
            if resp.status_code == 404:
                raise self._not_found(rp_uuid)
            self._fail('PUT', url, resp)
        raise PlacementGenerationConflict(uuid=rp_uuid,
                                          attempts=self.max_retries + 1)

    def _update_inventories(self, rp_uuid, compute, state=None):
        return self._read_modify_write(
            rp_uuid, 'inventories', self._read_inventories, compute,
            lambda gen, wanted: {'resource_provider_generation': gen,
                                 'inventories': wanted},
            same=_same_inventories, state=state)

    def set_inventory(self, rp_uuid, rc, total, state=None):
        """Make ``rc`` the provider's only class with ``total`` units.

        ``total`` and ``max_unit`` are ours; ``reserved`` (clamped to the new
        total), ``min_unit``, ``step_size`` and ``allocation_ratio`` of an
        existing ``rc`` record are kept. Other classes are removed; a total
        of 0 removes the inventory. Returns True when Placement was written.
        """
        def compute(current):
            if total <= 0:
                return {}
            record = dict(current.get(rc, {}))
            record.update(total=total, max_unit=total)
            if record.get('reserved', 0) > total:
                record['reserved'] = total
            return {rc: record}
        return self._update_inventories(rp_uuid, compute, state)

    def set_reserved(self, rp_uuid, rc, reserved, state=None):
        """Set only ``reserved`` of the ``rc`` record (device disable/enable).

        ``reserved`` is clamped to ``[0, total]``. Raises
        :class:`PlacementInventoryNotFound` when the provider has no ``rc``
        inventory. Returns True when Placement was written.
        """
        def compute(current):
            if rc not in current:
                raise PlacementInventoryNotFound(uuid=rp_uuid, rc=rc)
            record = dict(current[rc])
            record['reserved'] = max(0, min(reserved, record['total']))
            return {**current, rc: record}
        return self._update_inventories(rp_uuid, compute, state)


    @property
    def bulk_inventory(self):
        """Whether :meth:`set_inventories` may still write in bulk."""
        return not self.reshaper.refused

    def set_inventories(self, items, workers=1):
        """Replace the inventories of many providers, in few requests.

        ``items``: {rp_uuid: (state, inventories)}: each
        :class:`ProviderState` knows the provider's generation, and
        ``inventories`` ({rc: record}) replaces what it has (fields left
        out take Placement's defaults). Resource classes must exist.
        Written providers' states are kept current. Returns the rp_uuids
        NOT written (refused, conflict, error: all or part), which the
        caller writes one by one (:meth:`set_inventory`). Up to
        ``workers`` requests (of up to 200 providers) go at a time.
        """
        return self.reshaper.set_inventories(items, workers)


    def _read_traits(self, rp_uuid):
        url = '/resource_providers/%s/traits' % rp_uuid
        body = self._get(url, self._not_found(rp_uuid))
        return body['resource_provider_generation'], set(body['traits'])

    def get_traits(self, rp_uuid, state=None):
        """The set of trait names on a provider (recorded in ``state``)."""
        generation, traits = self._read_traits(rp_uuid)
        if state is not None:
            state.generation, state.traits = generation, set(traits)
        return traits

    @staticmethod
    def _valid_traits(traits):
        valid = set()
        for name in traits:
            if is_valid_trait(name):
                valid.add(name)
            else:
                LOG.warning('Skipping invalid trait name %r: neither a '
                            'standard trait nor CUSTOM_[A-Z0-9_]+', name)
        return valid

    def _create_traits(self, names):
        """Create the custom traits among ``names`` not known to exist."""
        custom = sorted(self.known_traits.unknown(
            n for n in names if n not in _STANDARD_TRAITS))
        if not custom:
            return
        url = '/traits?name=in:' + ','.join(custom)
        existing = set(self._get(url)['traits'])
        for name in custom:
            if name in existing:
                continue
            resp = self._request('PUT', '/traits/%s' % name)
            if resp.status_code not in (201, 204):
                self.known_traits.clear()
                self._fail('PUT', '/traits/%s' % name, resp)
        self.known_traits.add(custom)

    def ensure_custom_traits(self, names):
        """Create the valid custom traits among ``names`` that are not
        known to exist (one look-up, one PUT per missing trait)."""
        self._create_traits(self._valid_traits(names))

    def _update_traits(self, rp_uuid, compute, state=None):
        def body(generation, wanted):
            self._create_traits(wanted)
            return {'resource_provider_generation': generation,
                    'traits': sorted(wanted)}
        try:
            return self._read_modify_write(
                rp_uuid, 'traits', self._read_traits, compute, body,
                state=state)
        except PlacementRequestFailed as exc:
            if not 400 <= exc.kwargs['status'] < 500:
                raise
            # A trait we believed in may have been deleted meanwhile:
            # never trust the cache across a refusal; one more try.
            LOG.debug('Trait write on %s refused (%s); retrying without '
                      'the trait cache', rp_uuid, exc)
            self.known_traits.clear()
            return self._read_modify_write(
                rp_uuid, 'traits', self._read_traits, compute, body,
                state=state)

    def set_provider_traits(self, rp_uuid, traits, state=None,
                            keep_prefix=None):
        """Make the provider's traits exactly the valid names of ``traits``
        (plus, with ``keep_prefix``, its current names starting with it).

        Cyborg owns every trait of its device providers. Invalid names are
        skipped (logged); missing custom traits are created. Returns True
        when Placement was written.
        """
        wanted = self._valid_traits(traits)

        def compute(current):
            if not keep_prefix:
                return wanted
            return wanted | {t for t in current if t.startswith(keep_prefix)}
        return self._update_traits(rp_uuid, compute, state)

    def ensure_traits(self, rp_uuid, traits):
        """Add the valid names of ``traits`` to the provider (union)."""
        wanted = self._valid_traits(traits)
        return self._update_traits(rp_uuid, lambda current: current | wanted)

    def remove_provider_traits(self, rp_uuid, traits=(), prefix=None):
        """Remove ``traits`` (and names starting with ``prefix``) from the
        provider only; traits are never deleted globally (D3.5)."""
        drop = set(traits)

        def compute(current):
            return {t for t in current
                    if t not in drop and not (prefix and t.startswith(prefix))}
        return self._update_traits(rp_uuid, compute)

    def replace_prefixed_traits(self, rp_uuid, prefix, trait=None):
        """Drop the provider's traits starting with ``prefix`` and add
        ``trait`` (created if missing), in one generation-guarded write.

        FPGA programming (internals.md §5.6 step 4.3): the card now runs
        one function, so exactly one ``CUSTOM_FPGA_FUNCTION_ID*`` trait
        remains. Other traits are kept. Returns True when written.
        """
        if trait is not None and not is_valid_trait(trait):
            raise exception.InvalidParameterValue(
                err='%r is not a valid trait name' % trait)

        def compute(current):
            kept = {t for t in current if not t.startswith(prefix)}
            return kept | {trait} if trait else kept
        return self._update_traits(rp_uuid, compute)


def _contents(what, answer):
    """The ``what`` of a PUT answer, as its read returns it."""
    if what == 'traits':
        return set(answer['traits'])
    return answer[what]
