"""doc/source/admin/notifications.rst is generated from the classes and
must be current (regenerate with ``python -m cyborg.notifications.docgen
> doc/source/admin/notifications.rst``)."""
import pathlib

import cyborg
from cyborg.notifications import docgen
from cyborg.notifications import payloads

ROOT = pathlib.Path(cyborg.__file__).parent.parent


def test_doc_is_current():
    current = (ROOT / docgen.DOC_PATH).read_text()
    assert current == docgen.render(), (
        'doc/source/admin/notifications.rst is stale: run python -m '
        'cyborg.notifications.docgen > doc/source/admin/notifications.rst')


def test_doc_lists_every_event_and_payload():
    text = docgen.render()
    for cls in payloads.NOTIFICATIONS:
        for event_type, _priority, _when in cls.EVENTS:
            assert '``%s``' % event_type in text
    for cls in payloads.PAYLOADS:
        assert '%s %s' % (cls.obj_name(), cls.VERSION) in text
