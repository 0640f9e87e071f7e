"""``cyborg.api.wsgi:application``: the same application as
``cyborg.wsgi.api`` (upstream's path), for recipes that name this module.

``init_application`` is the ``cyborg-wsgi-api`` script's entry point (pbr
``wsgi_scripts``, for mod_wsgi's ``WSGIScriptAlias``).
"""
from cyborg.common import service

service.prepare()

from cyborg.api import wsgi_app  # noqa: E402 - after the backend choice
from cyborg.wsgi import api as _api  # noqa: E402

init_application = wsgi_app.init_application
application = _api.application
