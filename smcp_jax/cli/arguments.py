# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The commands' flags: absl flags, each command with its own FlagValues (so
that commands import together), parsed with each mistake as one `error:`
line; a config file by path."""

import importlib.util
import os
import sys

from absl import flags
import ml_collections

from smcp_jax import errors


def load_config_file(path: str) -> ml_collections.ConfigDict:
  """`get_config()` of a config file, for a `--config` given as a path."""
  if not os.path.isfile(path):
    raise errors.ConfigError(f'config file {path!r} does not exist (e.g. '
                             'configs/toy.py)')
  spec = importlib.util.spec_from_file_location('_smcp_config', path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config()


def flag_value(argv, name: str) -> str | None:
  """The value of `--name X` or `--name=X` in argv, or None."""
  for i, arg in enumerate(argv):
    if arg.startswith(f'--{name}='):
      return arg.split('=', 1)[1]
    if arg == f'--{name}' and i + 1 < len(argv):
      return argv[i + 1]
  return None


def add_hyphenated_aliases(flag_values: flags.FlagValues) -> None:
  """`--a-b` for every `--a_b` (the spelling is the underscore's, as absl
  and the config's fields write it): earlier versions took hyphens; kept
  for one release."""
  for name in list(flag_values):
    if '_' in name:
      flags.DEFINE_alias(name.replace('_', '-'), name,
                         flag_values=flag_values)


def spread(argv, names) -> list[str]:
  """`--name a b c` as `--name a --name b --name c`, for the flags in
  `names` (multi-valued): earlier versions took space-separated lists."""
  out, taking = [], None
  for arg in argv:
    if arg.startswith('-'):
      taking = arg.lstrip('-') if arg.lstrip('-') in names else None
      out.append(arg)
    elif taking and out[-1] != f'--{taking}':
      out += [f'--{taking}', arg]
    else:
      out.append(arg)
  return out


def parse(flag_values: flags.FlagValues, argv) -> list[str]:
  """Parses `argv` (program name first) into a command's own flags, from
  their defaults again, and returns the arguments that are not flags. Each
  mistake is one `error:` line instead of a traceback or absl's FATAL block:
  a missing config file, an unknown `--config.x` field, a value of the wrong
  type, a missing required flag."""
  config_file = flag_value(argv, 'config')
  if config_file and not os.path.isfile(config_file.split(':', 1)[0]):
    sys.exit(f'error: config file {config_file!r} does not exist (e.g. '
             '--config configs/toy.py)')
  flag_values.unparse_flags()
  try:
    return flag_values(argv)
  except flags.Error as e:
    sys.exit(f'error: {str(e).rstrip(".")}. See --help.')
  except (AttributeError, KeyError) as e:
    overrides = [a.split('=')[0] for a in argv if a.startswith('--config.')]
    # ml_collections nests and escapes its message: "'x'\nDid you mean...".
    lines = str(e).replace('\\n', '\n').replace("\\'", "'").split('\n')
    field = lines[0].strip('\'" ')
    quotes = '\'"'
    hint = ''.join(' ' + line.strip().rstrip(quotes) for line in lines[1:]
                   if line.strip())
    sys.exit(f'error: no config field {field!r} in {overrides}.{hint} The '
             'fields are those of smcp_jax/config_lib/defaults.py, e.g. '
             '--config.train.num_steps=1000')
