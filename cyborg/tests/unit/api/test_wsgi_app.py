"""Where a WSGI server's process finds its configuration."""
from cyborg.api import wsgi_app


def test_argv_config_files_and_dirs_only():
    argv = ['-w', '2', '--config-file', '/etc/a.conf', '--bind', 'x',
            '--config-dir=/etc/cyborg/conf.d', '--other']
    assert wsgi_app.config_args(argv, {}) == [
        '--config-file', '/etc/a.conf', '--config-dir', '/etc/cyborg/conf.d']


def test_argv_wins_over_the_environment():
    env = {wsgi_app.ENV_FILES: '/x.conf'}
    assert wsgi_app.config_args(['--config-file', '/a.conf'], env) == [
        '--config-file', '/a.conf']


def test_environment_files_relative_to_the_dir():
    env = {wsgi_app.ENV_FILES: 'cyborg.conf; /abs/extra.conf ;',
           wsgi_app.ENV_DIR: '/etc/cyborg'}
    assert wsgi_app.config_args([], env) == [
        '--config-file', '/etc/cyborg/cyborg.conf',
        '--config-file', '/abs/extra.conf']


def test_environment_dir_alone():
    assert wsgi_app.config_args([], {wsgi_app.ENV_DIR: '/etc/c'}) == [
        '--config-dir', '/etc/c']


def test_nothing_leaves_oslo_config_defaults():
    assert wsgi_app.config_args(['uwsgi-ignored'], {}) == []
