# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The one way every command runs.

A command defines its absl flags in a FlagValues of its own, writes
`run(argv)`, which does the work and raises a UserError for bad input, and
hands both to `main`: `--help` prints the command's docstring and flags
(exit 0); a flag mistake is one `error:` line; logging stays at WARNING
unless --verbosity asks for more; the compilation cache is on for commands
that run the network; a UserError (or a path that does not exist) is one
`error:` line and exit 1, Ctrl-C one line and exit 130, and only a real bug
shows a traceback.
"""

import os
import shutil
import signal
import sys
import textwrap
import threading
from typing import Callable, Sequence

from absl import flags
from absl import logging

from smcp_jax import errors
from smcp_jax.cli import arguments

INTERRUPTED_EXIT = 130
# Folders a command is writing, removed when Ctrl-C ends it.
_UNFINISHED = set()
HELP = ('-h', '--help', '--helpshort', '--helpfull', '-?')


def help_text(flag_values: flags.FlagValues, doc: str) -> str:
  """The command's docstring and its flags (absl's listing, without the
  module headers and the old spellings' aliases)."""
  lines, alias = [], False
  for line in flag_values.get_help(include_special_flags=False).splitlines():
    if line.startswith('  --'):
      alias = ': Alias for --' in line
    elif not line.startswith('    '):
      continue  # a module's header
    if not alias:
      lines.append(line)
  fields = ('\n\n' + textwrap.fill(
      'Any field of the config can be set: --config.SECTION.FIELD=VALUE. '
      'Every field, with its default and what it does: '
      'smcp_jax/config_lib/defaults.py (docs/commands.md).', 80)
            if 'config' in flag_values else '')
  return (f'{doc.strip()}\n\nflags:\n' + '\n'.join(lines) + fields
          + '\n')


def _program(run: Callable) -> str:
  module = run.__module__
  if module == '__main__':  # python -m X; run as a file: its path
    spec = sys.modules['__main__'].__spec__
    return f'python -m {spec.name.removesuffix(".__main__")}' if spec else (
        sys.argv[0])
  return 'python -m ' + module.removesuffix('.__main__')


def remove_if_interrupted(path: str) -> None:
  """`path` (a folder the command is writing) goes if Ctrl-C ends it."""
  _UNFINISHED.add(path)


def finished(path: str) -> None:
  _UNFINISHED.discard(path)


def _interrupt_handler(interrupted: str) -> Callable:
  """Ctrl-C ends the command here and now, with its one line: raised as
  KeyboardInterrupt it could land in a garbage-collection callback (JAX's,
  while JAX imports), where Python prints a traceback and goes on."""

  def handle(signum, frame):
    del signum, frame
    print(f'\ninterrupted{"; " + interrupted if interrupted else ""}',
          file=sys.stderr, flush=True)
    for path in list(_UNFINISHED):
      shutil.rmtree(path, ignore_errors=True)
    os._exit(INTERRUPTED_EXIT)  # pylint: disable=protected-access

  return handle


def main(run: Callable, flag_values: flags.FlagValues,
         argv: Sequence[str] | None = None, *, parse: Callable | None = None,
         uses_jax: bool = True, interrupted: str = ''):
  """Runs a command.

  Args:
    run: the command's work, `run(argv) -> exit status or None`; `argv` is
      the program name and the arguments that are not flags.
    flag_values: the command's own flags.
    argv: the arguments after the program name (default: sys.argv's).
    parse: the command's own `parse(flag_values, argv)`, where it must
      rewrite its arguments first (default: arguments.parse).
    uses_jax: whether the command compiles the network (the compilation
      cache is then turned on).
    interrupted: what Ctrl-C leaves behind, said after "interrupted; ".
  """
  argv = [_program(run), *(sys.argv[1:] if argv is None else argv)]
  if any(arg in HELP for arg in argv[1:]):
    doc = sys.modules[run.__module__].__doc__ or ''
    print(help_text(flag_values, doc), end='')
    sys.exit(0)
  if 'verbosity' not in flag_values:  # absl's, shared with absl.logging
    flag_values['verbosity'] = flags.FLAGS['verbosity']
  rest = (parse or arguments.parse)(flag_values, argv)
  flags.FLAGS.mark_as_parsed()  # absl's own flags: their defaults
  if not flag_values['verbosity'].present:
    logging.set_verbosity(logging.WARNING)  # orbax logs every save at INFO
  if uses_jax:
    from smcp_jax.cli import compile_cache  # pylint: disable=g-import-not-at-top
    compile_cache.enable()
  # Training installs its own handler while it steps (it saves first).
  own_handler = threading.current_thread() is threading.main_thread()
  if own_handler:
    previous = signal.signal(signal.SIGINT, _interrupt_handler(interrupted))
  try:
    status = run(rest)
  except (errors.UserError, FileNotFoundError) as e:
    sys.exit(f'error: {e}')
  except KeyboardInterrupt:
    print(f'\ninterrupted{"; " + interrupted if interrupted else ""}',
          file=sys.stderr)
    sys.exit(INTERRUPTED_EXIT)
  finally:
    if own_handler:
      signal.signal(signal.SIGINT, previous)
  if status:
    sys.exit(status)
