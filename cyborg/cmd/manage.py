"""cyborg-manage: operator tools that are not services.

``cyborg-manage placement audit [--host H] [--format table|json] [--fix]
[--state-dir DIR]`` compares the database with Placement and lists every
difference (``cyborg.audit``). Exit status: 0 in sync (after ``--fix``:
nothing left), 1 drift found (or left after ``--fix``), 2 error.

The database and Placement are those of the services' configuration
(``--config-file``: ``[database]``, ``[placement]``). ``--state-dir DIR``
audits a standalone deployment instead, found the way
``cyborg-standalone --state-dir DIR`` finds it: the database
``DIR/cyborg.sqlite`` and, unless ``[placement]`` names an external
Placement, the embedded Placement database ``DIR/placement.sqlite``, served
in this process on a free loopback port for the duration of the audit
(SQLite locking keeps it consistent with a standalone service running at
the same time).
"""
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging

from cyborg import context as cyborg_context
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

OK, DRIFT, ERROR = 0, 1, 2
_STANDALONE_DB = 'cyborg.sqlite'
_QUIET = ['cyborg=WARN', 'placement=WARN', 'alembic=WARN']


def _add_placement(subparsers):
    placement = subparsers.add_parser(
        'placement', help='Placement tools.')
    actions = placement.add_subparsers(dest='action', title='Actions')
    actions.required = True
    audit = actions.add_parser(
        'audit', help='Compare the database with Placement; --fix repairs '
                      "what cyborg owns (never Nova's allocations).")
    audit.add_argument('--host', dest='compute_node', default=None,
                       help='Audit only this compute node.')
    audit.add_argument('--format', choices=('table', 'json'),
                       default='table', help='Output format.')
    audit.add_argument('--fix', action='store_true',
                       help="Repair cyborg's providers, inventories, "
                            'traits and stored provider uuids.')
    audit.add_argument('--state-dir', default=None,
                       help='Audit the standalone deployment whose state '
                            'is in this directory.')
    audit.set_defaults(func=placement_audit)


command_opt = cfg.SubCommandOpt('category', title='Categories',
                                handler=_add_placement)


class ManageError(Exception):
    """A problem the operator must fix before the audit can run."""


def _standalone_database(state_dir):
    path = os.path.join(os.path.abspath(state_dir), _STANDALONE_DB)
    if not os.path.isfile(path):
        raise ManageError('no standalone database at %s' % path)
    CONF.set_override('connection', 'sqlite:///%s' % path, group='database')


def _placement_client(state_dir, parts):
    from cyborg.clients import placement
    external = CONF.placement.auth_type or CONF.placement.endpoint_override
    if state_dir is None or external:
        return placement.PlacementClient(conf=CONF)
    from cyborg import placement_embedded
    path = os.path.join(os.path.abspath(state_dir),
                        placement_embedded.DB_FILE)
    if not os.path.isfile(path):
        raise ManageError('no embedded Placement database at %s' % path)
    embedded = placement_embedded.start(state_dir, port=0)
    parts.append(embedded)
    return placement.PlacementClient(adapter=embedded.adapter())


def placement_audit(args):
    from cyborg.audit import render
    from cyborg.audit import run
    from cyborg.db import session
    parts = []
    try:
        if args.state_dir:
            _standalone_database(args.state_dir)
        session.configure()
        client = _placement_client(args.state_dir, parts)
        progress = render.Progress(sys.stdout, every=25)
        outcome = run.audit(cyborg_context.get_admin_context(), client,
                            hostname=args.compute_node, fix=args.fix,
                            progress=progress)
    finally:
        for part in parts:
            part.stop()
    if args.format == 'json':
        sys.stdout.write(render.as_json(outcome))
    else:
        sys.stdout.write(render.table(outcome))
    return OK if outcome.in_sync else DRIFT


def main(argv=None):
    CONF.register_cli_opt(command_opt)
    logging.register_options(CONF)
    # Standard output carries the report; logs go to standard error, and
    # only warnings unless --debug.
    CONF.set_default('use_stderr', True)
    logging.set_defaults(default_log_levels=logging.get_default_log_levels()
                         + _QUIET)
    try:
        CONF(argv if argv is not None else sys.argv[1:], project='cyborg',
             prog='cyborg-manage')
    except cfg.Error as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return ERROR
    logging.setup(CONF, 'cyborg')
    try:
        return CONF.category.func(CONF.category)
    except Exception as exc:  # noqa: BLE001 - exit status 2, one line
        LOG.debug('cyborg-manage failed', exc_info=True)
        print('ERROR: %s: %s' % (type(exc).__name__, exc), file=sys.stderr)
        return ERROR


if __name__ == '__main__':
    sys.exit(main())
