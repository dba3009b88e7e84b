# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""JAX's persistent compilation cache for the commands: a second predict,
evaluate, app or train start on the same checkpoint and sizes loads the
compiled network from disk instead of compiling it again.

The folder: $SMCP_JAX_CACHE_DIR ('off' turns the cache off), else
$XDG_CACHE_HOME/smcp_jax/xla (~/.cache/smcp_jax/xla). A folder that cannot
be written, or entries that cannot be read, never fail a command: one
warning, and the command runs without the cache or recompiles.
"""

import os
import sys
import tempfile
import warnings

ENV = 'SMCP_JAX_CACHE_DIR'
_UNREADABLE = 'Error reading persistent compilation cache entry'


def default_dir() -> str:
  base = os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache'))
  return os.path.join(base, 'smcp_jax', 'xla')


def _warn(message: str) -> None:
  print(f'warning: {message}', file=sys.stderr, flush=True)


def _one_notice_for_unreadable_entries(directory: str) -> None:
  """JAX warns once per unreadable entry (and recompiles it); say it once."""
  show = warnings.showwarning
  told = []

  def showwarning(message, category, *args, **kwargs):
    if _UNREADABLE not in str(message):
      return show(message, category, *args, **kwargs)
    if not told:
      told.append(True)
      _warn(f'the compilation cache {directory} holds unreadable entries; '
            'they are compiled again (delete the folder to clear it)')
    return None

  warnings.showwarning = showwarning


def enable(directory: str | None = None) -> str | None:
  """Turns the cache on; returns its folder, or None when it is off or
  cannot be written (said once on stderr)."""
  directory = directory or os.environ.get(ENV) or default_dir()
  if directory == 'off':
    return None
  try:
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory):
      pass
  except OSError as e:
    _warn(f'the compilation cache {directory} cannot be written ({e}); '
          f'running without it (set {ENV} to another folder, or to off)')
    return None
  # Every compile: the network's take seconds, the small ones add up.
  settings = {'jax_compilation_cache_dir': directory,
              'jax_persistent_cache_min_compile_time_secs': 0}
  jax = sys.modules.get('jax')
  if jax is not None:
    for name, value in settings.items():
      jax.config.update(name, value)
  else:  # read when JAX is imported: --help and flag errors stay instant
    os.environ.update({name.upper(): str(value)
                       for name, value in settings.items()})
  _one_notice_for_unreadable_entries(directory)
  return directory
