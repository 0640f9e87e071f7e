"""PCI helpers shared by the drivers: addresses, the PCI JSON text of
drivers.md §2.1 (byte-exact), ``lspci`` output parsing (§2.2) and names.
"""
import collections
import json
import logging
import re

from cyborg.accelerator.drivers import exceptions

LOG = logging.getLogger(__name__)

_HEX = '[0-9a-fA-F]'
ADDRESS_RE = re.compile(
    r'^(?P<domain>{h}{{4}}):(?P<bus>{h}{{2}}):(?P<device>{h}{{2}})'
    r'\.(?P<function>[0-7])$'.format(h=_HEX))

# drivers.md §2.2: address, class text (up to the last " [xxxx]: "),
# greedy model text, and the ids in the last "[vvvv:pppp]" bracket.
LSPCI_RE = re.compile(
    r'^(?P<address>{h}{{4}}:{h}{{2}}:{h}{{2}}\.[0-7]) '
    r'(?P<controller>.*) \[(?P<class_id>{h}{{4}})\]: '
    r'(?P<model>.*) \[(?P<vendor_id>{h}{{4}}):(?P<product_id>{h}{{4}})\]'
    .format(h=_HEX))

LspciEntry = collections.namedtuple(
    'LspciEntry', ['address', 'controller', 'class_id', 'model',
                   'vendor_id', 'product_id', 'line'])

_TRAIT_BAD_CHARS = re.compile('[^A-Z0-9_]')


def parse_address(address):
    """Split ``DDDD:BB:SS.F`` into its four fields (as printed)."""
    match = ADDRESS_RE.match(address or '')
    if not match:
        raise exceptions.InvalidPCIAddress(address=address)
    return match.groupdict()


def is_address(text):
    return bool(ADDRESS_RE.match(text or ''))


def pci_json(address, physical_network=None):
    """The PCI JSON text of a function: sorted keys, json.dumps spacing."""
    fields = parse_address(address)
    if physical_network is not None:
        fields['physical_network'] = physical_network
    return json.dumps(fields, sort_keys=True)


def vgpu_json(address, asked_type, vgpu_mark):
    """Attach info of one vGPU slot (drivers.md §2.1, vGPU variant)."""
    fields = parse_address(address)
    fields['asked_type'] = asked_type
    fields['vgpu_mark'] = vgpu_mark
    return json.dumps(fields, sort_keys=True)


def address_from_info(info):
    """Rebuild ``DDDD:BB:SS.F`` from a PCI JSON dict (or its text)."""
    if isinstance(info, str):
        info = json.loads(info)
    address = '%s:%s:%s.%s' % (info['domain'], info['bus'],
                               info['device'], info['function'])
    parse_address(address)
    return address


def board_info(**fields):
    """JSON text of a board-info dict, keys in the given order."""
    return json.dumps(fields)


def trait(*parts):
    """``CUSTOM_<PARTS>`` upper-cased; characters Placement refuses in a
    trait name (anything outside ``[A-Z0-9_]``) become ``_``."""
    name = '_'.join(['CUSTOM'] + [str(p) for p in parts]).upper()
    return _TRAIT_BAD_CHARS.sub('_', name)


def run_lspci(host, args=('-nnn', '-D')):
    """Lines of ``lspci <args>``; [] (logged) when the command fails."""
    argv = ['lspci'] + list(args)
    try:
        result = host.execute(argv)
    except Exception as exc:  # noqa: BLE001 - report nothing, keep going
        LOG.warning('Cannot run %s: %s; no device reported from it',
                    ' '.join(argv), exc)
        return []
    if result.returncode != 0:
        LOG.warning('%s exited with %s: %s; no device reported from it',
                    ' '.join(argv), result.returncode,
                    (result.stderr or '').strip())
        return []
    return (result.stdout or '').splitlines()


def parse_lspci_line(line, pattern=LSPCI_RE):
    """One :class:`LspciEntry`, or None (logged) when the line does not
    have the expected shape (e.g. truncated).

    The vendor, product and class ids are lower-cased (as 17.0.0 does,
    drivers.md §15) whatever the tool printed; the address and the texts
    are kept as printed."""
    match = pattern.match(line)
    if not match:
        LOG.warning('Skipping PCI function: unparsable lspci line %r', line)
        return None
    g = match.groupdict()
    class_id = g.get('class_id')
    return LspciEntry(address=g['address'], controller=g.get('controller'),
                      class_id=class_id.lower() if class_id else class_id,
                      model=g.get('model'),
                      vendor_id=g['vendor_id'].lower(),
                      product_id=g['product_id'].lower(),
                      line=line)


def lspci_entries(host, args=('-nnn', '-D'), pattern=LSPCI_RE):
    """Parsed lines of ``lspci``; unparsable lines are skipped and logged."""
    entries = []
    for line in run_lspci(host, args):
        if not line.strip() or line[:1].isspace():
            continue
        entry = parse_lspci_line(line, pattern)
        if entry is not None:
            entries.append(entry)
    return entries
