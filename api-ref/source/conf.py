# Sphinx configuration of the accelerator API reference (tox -e api-ref).
#
# The pages are written with os-api-ref's directives: ``rest_method`` opens
# one operation, ``rest_parameters`` pulls rows from parameters.yaml and
# ``rest_status_code`` pulls the meaning of each status from status.yaml.

extensions = [
    'os_api_ref',
]

try:
    import openstackdocstheme  # noqa: F401
except ImportError:  # pragma: no cover - the default theme still builds
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    html_theme_options = {
        'sidebar_mode': 'toc',
    }
    openstackdocs_repo_name = 'openstack/cyborg'
    openstackdocs_bug_project = 'cyborg'
    openstackdocs_bug_tag = 'api-ref'
    openstackdocs_auto_name = False

project = 'Accelerator API Reference'
copyright = '2026, cyborg developers'
author = 'cyborg developers'

# Microversion selector shown at the top of the page.
os_api_ref_min_microversion = '2.0'
os_api_ref_max_microversion = '2.3'

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'
language = 'en'
exclude_patterns = []
pygments_style = 'native'
add_module_names = False
show_authors = False

html_static_path = []
htmlhelp_basename = 'cyborgapirefdoc'
