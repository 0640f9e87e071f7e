"""The API for WSGI servers: ``cyborg.wsgi.api:application``.

uWSGI::

    module = cyborg.wsgi.api:application
    pyargv = --config-file /etc/cyborg/cyborg.conf

gunicorn (its command line is its own; name the files in the
environment)::

    OS_CYBORG_CONFIG_FILES=/etc/cyborg/cyborg.conf \\
        gunicorn -w 4 cyborg.wsgi.api:application

Apache mod_wsgi: ``WSGIScriptAlias /accelerator`` pointing at the
``cyborg-wsgi-api`` script, or ``WSGIImportScript`` of this module with
``application-group=%{GLOBAL}``.

Configuration comes from, in order: ``--config-file``/``--config-dir`` in
``sys.argv``; the ``OS_CYBORG_CONFIG_FILES`` (``;``-separated, relative
names under ``OS_CYBORG_CONFIG_DIR``) and ``OS_CYBORG_CONFIG_DIR``
environment variables; oslo.config's default locations. The application is
built when this module is imported, once per process.
"""
from cyborg.common import service

service.prepare()

from cyborg.api import wsgi_app  # noqa: E402 - after the backend choice

application = wsgi_app.init_application()
