# Sphinx configuration of the release notes (tox -e releasenotes).
#
# The notes themselves are YAML files under releasenotes/notes/, written with
# ``reno new <slug>``; reno collects them from the git history.

extensions = [
    'reno.sphinxext',
]

try:
    import openstackdocstheme  # noqa: F401
except ImportError:  # pragma: no cover - the default theme still builds
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/cyborg'
    openstackdocs_bug_project = 'cyborg'
    openstackdocs_bug_tag = 'releasenotes'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False

project = 'cyborg Release Notes'
copyright = '2026, cyborg developers'
author = 'cyborg developers'

# The release notes carry no version of their own.
version = ''
release = ''

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'
language = 'en'
exclude_patterns = []
pygments_style = 'native'

html_static_path = []
htmlhelp_basename = 'cyborgreleasenotesdoc'
