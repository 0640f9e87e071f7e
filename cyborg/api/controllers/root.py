"""Version discovery: ``GET /`` and ``GET /v2`` (api.md §5.1, §5.2)."""
from cyborg.api import microversion
from cyborg.api import router
from cyborg.api.schemas import responses

_DESCRIPTION = ('Accelerator life-cycle management service (GPUs, FPGAs, '
                'AI chips, SmartNICs and similar devices).')


def _version(req):
    return {
        'id': 'v2',
        'status': 'CURRENT',
        'max_version': microversion.to_str(microversion.MAX_VERSION),
        'min_version': microversion.to_str(microversion.MIN_VERSION),
        'links': [req.link()],
    }


@router.handler(response=responses.VERSIONS)
def root(req):
    version = _version(req)
    return {'name': 'OpenStack Cyborg API', 'description': _DESCRIPTION,
            'versions': [version], 'default_version': dict(version)}


@router.handler(response=responses.V2)
def v2(req):
    link = req.link()
    link['href'] += '/'
    return {
        'id': 'v2.0',
        'links': [link],
        'max_version': microversion.to_str(microversion.MAX_VERSION),
        'min_version': microversion.to_str(microversion.MIN_VERSION),
        'status': 'CURRENT',
    }


ROUTES = [
    ('/', {'GET': root}),
    ('/v2', {'GET': v2}),
]
