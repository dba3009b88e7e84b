# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A web app: annotate support images in the browser, segment many
queries, download the masks.

  python -m smcp_jax.app --checkpoint runs/demo [--host 127.0.0.1] [--port 7860]

Everything runs on this machine (serving/web_app.py says how); the network
and Gradio are imported after the arguments are read. Served beyond this
machine (--host other than loopback), the page and its API need a login:
--auth USER:PASSWORD_FILE, or SMCP_APP_AUTH=USER:PASSWORD in the
environment (a password never goes on the command line, where `ps` shows
it); --allow_anonymous serves it to the network without one.
"""

import ipaddress
import os

from absl import flags

from smcp_jax import errors
from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.serving import web_app

FLAGS = flags.FlagValues()
_CHECKPOINT = flags.DEFINE_string(
    'checkpoint', None, 'training workdir, exported or converted params',
    required=True, flag_values=FLAGS)
_HOST = flags.DEFINE_string('host', '127.0.0.1', 'address to bind (default: '
                            'this machine only)', flag_values=FLAGS)
_PORT = flags.DEFINE_integer('port', 7860, 'port', flag_values=FLAGS)
_AUTH = flags.DEFINE_string(
    'auth', '', 'USER:PASSWORD_FILE: a login in front of the page and its API '
    '(the file holds the password; or set SMCP_APP_AUTH=USER:PASSWORD)',
    flag_values=FLAGS)
_ALLOW_ANONYMOUS = flags.DEFINE_bool(
    'allow_anonymous', False, 'serve a non-loopback --host without a login',
    flag_values=FLAGS)
_BATCH_SIZE = flags.DEFINE_integer('batch_size', 4, 'queries per forward '
                                   'pass', lower_bound=1, flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


AUTH_ENV = 'SMCP_APP_AUTH'


def is_loopback(host: str) -> bool:
  if host == 'localhost':
    return True
  try:
    return ipaddress.ip_address(host).is_loopback
  except ValueError:
    return False


def login(auth: str, environ) -> tuple[str, str] | None:
  """(user, password) from --auth USER:PASSWORD_FILE or SMCP_APP_AUTH, or
  None when neither is given; UserError names what is wrong."""
  if auth and environ.get(AUTH_ENV):
    raise errors.UserError(f'give --auth or {AUTH_ENV}, not both')
  if auth:
    user, _, path = auth.partition(':')
    if not user or not path:
      raise errors.UserError(f'--auth must be USER:PASSWORD_FILE, got '
                             f'{auth!r}')
    try:
      with open(path, encoding='utf-8') as f:
        password = f.read().strip()
    except OSError as e:
      raise errors.UserError(f'--auth: cannot read the password file {path} '
                             f'({e.strerror})') from None
    where = f'the password file {path}'
  elif environ.get(AUTH_ENV):
    user, _, password = environ[AUTH_ENV].partition(':')
    where = AUTH_ENV
    if not user:
      raise errors.UserError(f'{AUTH_ENV} must be USER:PASSWORD')
  else:
    return None
  if len(password) < 8:
    raise errors.UserError(f'{where}: the password must have at least 8 '
                           'characters')
  return user, password


def check_exposure(host: str, credentials, allow_anonymous: bool) -> None:
  """A non-loopback host needs a login or the explicit opt-out."""
  if credentials is None and not allow_anonymous and not is_loopback(host):
    raise errors.UserError(
        f'--host {host} serves the app to the network, where anyone who '
        'reaches the port could upload files and use this machine: add '
        f'--auth USER:PASSWORD_FILE (or set {AUTH_ENV}=USER:PASSWORD), or '
        '--allow_anonymous to serve it without a login')


def run(argv) -> None:
  del argv
  credentials = login(_AUTH.value, os.environ)
  check_exposure(_HOST.value, credentials, _ALLOW_ANONYMOUS.value)
  os.environ.update(web_app.PRIVATE_ENV)
  # pylint: disable=g-import-not-at-top
  from smcp_jax.serving import predictor as predictor_lib
  predictor = predictor_lib.Predictor(_CHECKPOINT.value,
                                      batch_size=_BATCH_SIZE.value)
  page, theme = web_app.build_app(predictor, web_app.toy_example())
  page.launch(server_name=_HOST.value, server_port=_PORT.value, quiet=True,
              prevent_thread_lock=True, theme=theme, ssr_mode=False,
              max_file_size=web_app.MAX_UPLOAD, show_error=True,
              auth=credentials,
              auth_message='SMCP one-shot segmentation: sign in')
  print(f'smcp-jax app: http://{_HOST.value}:{_PORT.value} (Ctrl-C to stop)',
        flush=True)
  try:
    page.block_thread()
  except KeyboardInterrupt:
    pass
  finally:
    page.close()


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
