"""Every option cyborg registers is read somewhere in the code, and every
``conf.<group>.<name>`` the code reads is registered (or a library's).

"Read" means the option's name appears in a non-test, non-``conf/``
module as an attribute (``.name``) or a quoted name (``'name'``, for
options read by name: ``set_override``, ``conf_get``, ksa loaders).
"""
import ast
import os
import re

from oslo_config import cfg

from cyborg.conf import opts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
# Read by libraries from cyborg's groups, not by cyborg's code.
READ_BY_LIBRARIES = {
    ('DEFAULT', 'pybasedir'),   # interpolated into state_path ($pybasedir)
}
# Registered and not read yet, owned by other modules; each must either
# get a reader or go (the list may only shrink).
KNOWN_UNREAD = set()


def _sources():
    for base, _dirs, files in os.walk(ROOT):
        rel = os.path.relpath(base, ROOT)
        if rel.startswith(('tests', 'conf')) or '__pycache__' in rel:
            continue
        for name in files:
            if name.endswith('.py'):
                with open(os.path.join(base, name)) as f:
                    yield os.path.join(rel, name), f.read()


SOURCES = dict(_sources())
TEXT = '\n'.join(SOURCES.values())


def _own_names():
    """Names of the options defined in cyborg/conf/ (not a library's
    options that cyborg lists for the generator, e.g. keystoneauth's)."""
    from cyborg import conf
    names = set()
    for module in conf._MODULES:
        with open(module.__file__) as f:
            names.update(re.findall(r"""Opt\(\s*['"]([\w-]+)['"]""",
                                    f.read()))
    return names


def _registered(own_only=True):
    own = _own_names()
    for group, options in opts.list_opts():
        name = getattr(group, 'name', group) or 'DEFAULT'
        for opt in options:
            if opt.name in own or not own_only:
                yield name, opt


def _is_read(opt):
    names = {opt.dest, opt.name.replace('-', '_')}
    for name in names:
        if re.search(r'\.%s\b' % re.escape(name), TEXT) or \
                re.search(r'''['"]%s['"]''' % re.escape(name), TEXT):
            return True
    return False


def test_every_registered_option_is_read():
    unread = sorted('[%s] %s' % (group, opt.dest)
                    for group, opt in _registered()
                    if (group, opt.dest) not in READ_BY_LIBRARIES
                    and not _is_read(opt))
    known = sorted('[%s] %s' % k for k in KNOWN_UNREAD)
    assert [u for u in unread if u not in known] == []
    # an option of KNOWN_UNREAD that is read now leaves the list
    assert [k for k in known if k not in unread] == []


def _conf_reads():
    """(group, name) of every ``CONF.<group>.<name>`` / ``conf.<g>.<n>``."""
    for path, text in SOURCES.items():
        for node in ast.walk(ast.parse(text)):
            if (isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Attribute)
                    and isinstance(node.value.value, ast.Name)
                    and node.value.value.id in ('CONF', 'conf')):
                yield path, node.value.attr, node.attr


def test_every_read_group_option_is_registered():
    registered = {}
    for group, opt in _registered(own_only=False):
        registered.setdefault(group, set()).add(opt.dest)
    # [database] is oslo.db's group: the engine facade registers its options.
    from oslo_db import options as db_options
    registered.setdefault('database', set()).update(
        opt.dest for opt in db_options.database_opts)
    missing = sorted('%s: [%s] %s' % (path, group, name)
                     for path, group, name in _conf_reads()
                     if group in registered
                     and name not in registered[group]
                     and not hasattr(cfg.ConfigOpts.GroupAttr, name))
    assert missing == []


def test_a_17_0_0_nvme_group_still_loads(tmp_path):
    """[nvme] is no longer registered (nothing read it); a 17.0.0 file
    that carries it still loads, and the rest of the file is read."""
    path = tmp_path / 'cyborg.conf'
    path.write_text('[nvme]\ndevice_spec = {"address": "0000:81:00.0"}\n'
                    'cleanup_timeout = 30\n[api]\nmax_limit = 7\n')
    from cyborg import conf as cyborg_conf
    conf = cfg.ConfigOpts()
    cyborg_conf.register_all(conf)
    conf(['--config-file', str(path)], project='cyborg',
         default_config_files=[], default_config_dirs=[])
    assert conf.api.max_limit == 7
    assert 'nvme' not in conf
