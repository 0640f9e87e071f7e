"""Device-profile representations (api.md §8.1, §8.3; decision Q2)."""
import json

from cyborg.api.views import common

COLLECTION = 'device_profiles'


def groups_of(profile):
    """The request groups stored in a profile row's ``profile_json``."""
    return json.loads(profile.profile_json).get('groups', [])


def _fields(req, profile):
    return {
        'uuid': profile.uuid,
        'name': profile.name,
        'description': profile.description,
        'groups': groups_of(profile),
        'created_at': common.timestamp(profile.created_at),
        'updated_at': common.timestamp(profile.updated_at),
        'links': common.self_links(req, COLLECTION, profile.uuid),
    }


def device_profile(req, profile):
    """List item and create response: upstream key order."""
    return _fields(req, profile)


def device_profile_list(req, profiles, more=None):
    items = [device_profile(req, p) for p in profiles]
    if more is None:
        return {'device_profiles': items}
    return common.paged(req, 'device_profiles', items, COLLECTION, more)


_SHOW_ORDER = ('name', 'description', 'uuid', 'groups', 'created_at',
               'updated_at', 'links')


def device_profile_show(req, profile):
    """Wrapped show body; ISO timestamps and ``null`` (decision Q2)."""
    fields = _fields(req, profile)
    return {'device_profile': {k: fields[k] for k in _SHOW_ORDER}}
