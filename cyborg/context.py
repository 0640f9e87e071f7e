"""Request context: who is calling, in which project, with which roles."""
from oslo_context import context as oslo_context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(oslo_context.RequestContext):
    """Identity of a caller, carried from the API through RPC.

    ``is_admin`` is true iff the literal role ``admin`` is held (api.md
    §2.5). ``service_roles`` are the roles of a validated service token.
    """

    def __init__(self, is_admin=None, **kwargs):
        super().__init__(is_admin=is_admin, **kwargs)
        if is_admin is None:
            self.is_admin = 'admin' in (self.roles or [])

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
        values = super().to_dict()
        values['is_admin'] = self.is_admin
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('is_admin', values.get('is_admin'))
        return super().from_dict(values, **kwargs)


def get_admin_context():
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
