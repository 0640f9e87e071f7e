"""``[pci] passthrough_whitelist`` matching, with the rules of Nova's
legacy whitelist (drivers.md §12)."""
import json
import os
import re

from cyborg.accelerator.drivers import exceptions

ANY = '*'
_FIELD_WIDTH = {'domain': 4, 'bus': 2, 'slot': 2, 'function': 1}
_FIELD_MAX = {'domain': 0xFFFF, 'bus': 0xFF, 'slot': 0x1F, 'function': 7}


def _invalid(reason):
    return exceptions.PciConfigInvalidWhitelist(reason=reason)


def _norm_id(value, key):
    try:
        number = int(str(value), 16)
    except ValueError:
        raise _invalid('%s %r is not hexadecimal' % (key, value)) from None
    if not 0 <= number <= 0xFFFF:
        raise _invalid('%s %r is out of range' % (key, value))
    return '%04x' % number


def _norm_field(value, field):
    value = value.strip()
    if value in ('', ANY):
        return ANY
    try:
        number = int(value, 16)
    except ValueError:
        raise _invalid('bad %s %r in address' % (field, value)) from None
    if not 0 <= number <= _FIELD_MAX[field]:
        raise _invalid('%s %r out of range in address' % (field, value))
    return '%0*x' % (_FIELD_WIDTH[field], number)


def _split(address):
    """``DDDD:BB:SS.F`` -> normalised fields (lower case, fixed width)."""
    dbs, _, func = address.partition('.')
    domain, bus, slot = dbs.split(':')
    return {'domain': _norm_field(domain, 'domain'),
            'bus': _norm_field(bus, 'bus'),
            'slot': _norm_field(slot, 'slot'),
            'function': _norm_field(func, 'function')}


class _GlobAddress:
    """``[[[domain]:]bus]:][slot][.[func]]`` with ``*`` wildcards."""

    def __init__(self, spec):
        dbs, _, func = spec.partition('.')
        fields = dbs.split(':') if dbs else []
        if len(fields) > 3:
            raise _invalid('too many ":" in address %r' % spec)
        fields = [ANY] * (3 - len(fields)) + fields
        self.want = {
            'domain': _norm_field(fields[0], 'domain'),
            'bus': _norm_field(fields[1], 'bus'),
            'slot': _norm_field(fields[2], 'slot'),
            'function': _norm_field(func, 'function'),
        }

    def match(self, address):
        have = _split(address)
        return all(w == ANY or w == have[k] for k, w in self.want.items())


class _RegexAddress:
    """``{"domain": re, "bus": re, "slot": re, "function": re}``."""

    def __init__(self, spec):
        unknown = set(spec) - set(_FIELD_WIDTH)
        if unknown:
            raise _invalid('unknown address keys %s' % sorted(unknown))
        try:
            self.want = {k: re.compile(spec.get(k, '.*'))
                         for k in _FIELD_WIDTH}
        except (re.error, TypeError) as exc:
            raise _invalid('bad address regex: %s' % exc) from None

    def match(self, address):
        have = _split(address)
        return all(rx.match(have[k]) for k, rx in self.want.items())


class _DevName:
    """Address of the network interface ``devname`` (resolved on use)."""

    def __init__(self, host, devname):
        self.host, self.devname = host, devname

    def match(self, address):
        link = self.host.sys_path('class', 'net', self.devname, 'device')
        if not self.host.exists(link):
            return False
        return os.path.basename(self.host.realpath(link)) == address


class Spec:
    def __init__(self, host, spec):
        if not isinstance(spec, dict):
            raise _invalid('entry %r is not an object' % (spec,))
        self.vendor_id = (_norm_id(spec['vendor_id'], 'vendor_id')
                          if spec.get('vendor_id') not in (None, ANY)
                          else None)
        self.product_id = (_norm_id(spec['product_id'], 'product_id')
                           if spec.get('product_id') not in (None, ANY)
                           else None)
        address, devname = spec.get('address'), spec.get('devname')
        if address is not None and devname is not None:
            raise _invalid('address and devname are mutually exclusive')
        if devname is not None:
            self.address = _DevName(host, devname)
        elif isinstance(address, dict):
            self.address = _RegexAddress(address)
        elif isinstance(address, str):
            self.address = _GlobAddress(address)
        elif address is None:
            self.address = None
        else:
            raise _invalid('address %r is neither a string nor an object'
                           % (address,))

    def match(self, address, vendor_id, product_id):
        if self.vendor_id and self.vendor_id != vendor_id.lower():
            return False
        if self.product_id and self.product_id != product_id.lower():
            return False
        return self.address is None or self.address.match(address)


def parse(host, values):
    """Specs of every ``passthrough_whitelist`` value.

    :raises PciConfigInvalidWhitelist: a value is not a JSON object or
        list of objects, or an entry is malformed.
    """
    specs = []
    for value in values or []:
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise _invalid('%r is not JSON: %s' % (value, exc)) from None
        for item in data if isinstance(data, list) else [data]:
            specs.append(Spec(host, item))
    return specs


def matches(specs, address, vendor_id, product_id):
    return any(s.match(address, vendor_id, product_id) for s in specs)
