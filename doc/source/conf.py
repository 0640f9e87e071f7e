# Sphinx configuration of the cyborg documentation (tox -e docs).
#
# Build from the repository root:
#   sphinx-build -W -b html doc/source doc/build/html
# The configuration and policy pages are generated from the installed
# package's entry points (pip install -e . first). The generated sample
# files are written under doc/build/, never into the source tree.

extensions = [
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
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
    openstackdocs_bug_tag = 'doc'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False

project = 'cyborg'
copyright = '2026, cyborg developers'
author = 'cyborg developers'

# oslo_config.sphinxconfiggen / oslo_policy.sphinxpolicygen: the paths are
# relative to this directory; the outputs land in doc/build/.
config_generator_config_file = '../../etc/cyborg/cyborg-config-generator.conf'
sample_config_basename = '../build/cyborg'
policy_generator_config_file = '../../etc/cyborg/cyborg-policy-generator.conf'
sample_policy_basename = '../build/cyborg'

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'
language = 'en'
exclude_patterns = []
pygments_style = 'native'
add_module_names = False
show_authors = False

html_static_path = []
htmlhelp_basename = 'cyborgdoc'
