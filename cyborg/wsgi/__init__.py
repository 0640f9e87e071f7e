"""WSGI applications for WSGI servers (uWSGI, mod_wsgi, gunicorn)."""
