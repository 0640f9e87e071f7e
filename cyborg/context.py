"""Request context: who is calling, in which project, with which roles."""
import json

from oslo_context import context as oslo_context
from oslo_db.sqlalchemy import enginefacade

# Service types whose catalog entries travel with a context (internals.md
# §2.1): only what a cyborg service calls with the caller's token.
CATALOG_TYPES = frozenset({'image'})


def reduce_catalog(catalog):
    """The entries of ``catalog`` (keystonemiddleware's X-Service-Catalog,
    a list of ``{type, name, endpoints}``) that cyborg needs; anything that
    is not such a list gives ``[]``."""
    if not isinstance(catalog, list):
        return []
    return [entry for entry in catalog
            if isinstance(entry, dict) and entry.get('type') in CATALOG_TYPES]


@enginefacade.transaction_context_provider
class RequestContext(oslo_context.RequestContext):
    """Identity of a caller, carried from the API through RPC.

    ``is_admin`` is true iff the literal role ``admin`` is held (api.md
    §2.5). ``service_roles`` are the roles of a validated service token.
    ``service_catalog`` is the caller's catalog reduced to
    :data:`CATALOG_TYPES`; with the caller's token it is how the conductor
    and the agents find Glance.
    """

    def __init__(self, is_admin=None, service_catalog=None, **kwargs):
        super().__init__(is_admin=is_admin, **kwargs)
        if is_admin is None:
            self.is_admin = 'admin' in (self.roles or [])
        self.service_catalog = reduce_catalog(service_catalog)

    def to_policy_values(self):
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values

    def can(self, rule, target=None):
        """Raise PolicyNotAuthorized unless ``rule`` allows this caller."""
        from cyborg import policies
        if target is None:
            target = {'project_id': self.project_id,
                      'user_id': self.user_id}
        policies.authorize(self, rule, target)

    def has_service_token(self, service_token_roles):
        return bool(set(self.service_roles or []) & set(service_token_roles))

    def elevated(self):
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles = list(ctx.roles) + ['admin']
        return ctx

    def to_dict(self):
        """oslo.context's dictionary plus what internals.md §2.1 adds."""
        values = super().to_dict()
        values.update(is_admin=self.is_admin, user_id=self.user_id,
                      user_name=self.user_name,
                      project_name=self.project_name,
                      service_catalog=self.service_catalog)
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('is_admin', values.get('is_admin'))
        kwargs.setdefault('service_catalog', values.get('service_catalog'))
        if values.get('user') is None:
            kwargs.setdefault('user_id', values.get('user_id'))
        return super().from_dict(values, **kwargs)

    @classmethod
    def from_environ(cls, environ, **kwargs):
        """The context of a request as keystonemiddleware left it; the
        X-Service-Catalog header must already be known to be JSON."""
        if 'service_catalog' not in kwargs:
            raw = environ.get('HTTP_X_SERVICE_CATALOG')
            kwargs['service_catalog'] = json.loads(raw) if raw else None
        return super().from_environ(environ, **kwargs)


def get_admin_context():
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
