# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The package's rooms and their import layers (docs/architecture.md): no
module imports up into a higher layer, commands live only at the top, and
the old command names only forward."""

import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / 'smcp_jax'
# Bottom to top: a module may import its own room and the rooms listed.
_BASE = ('errors',)
# The toy's data set (its classes, generator, layouts) is data: the readers
# name its classes and a TFDS builder generates it.
_DATA = _BASE + ('data.', 'toy.classes', 'toy.generate')
_MODEL = ('ops.', 'models.')
_CONFIG = _DATA + _MODEL + ('config_lib.',)
_CHECKPOINTS = _CONFIG + ('checkpoints.',)
_EVALUATION = _CHECKPOINTS + ('evaluation.',)
ALLOWED = {
    'errors': (),
    'ops.': ('ops.',),
    'models.': _MODEL,
    'toy.classes': (),
    'data.': _DATA,
    'toy.': _DATA + ('toy.',),
    'config_lib.': _CONFIG,
    'checkpoints.': _CHECKPOINTS,
    'evaluation.': _EVALUATION,
    'train.': _EVALUATION + ('train.',),
    'serving.': _EVALUATION + ('serving.',),
    'cli.': _BASE + ('cli.',),
}
# The commands: thin, on top, may import anything.
COMMANDS = ('train.__main__', 'evaluate', 'predict', 'app', 'prepare',
            'check_data', 'toy.__main__', 'toy.encoder', 'toy.custom_set',
            'coco_labels', 'custom_layout', 'label', 'summary')
# Old command names -> new, forwarded for one release.
OLD_NAMES = {'data.check': 'check_data', 'data.prepare': 'prepare',
             'data.toy': 'toy', 'data.coco': 'coco_labels',
             'models.summary': 'summary', 'toy_encoder': 'toy.encoder'}


def _imports(path: pathlib.Path) -> set[str]:
  """The smcp_jax modules a file imports, relative ('data.folds')."""
  found = set()
  for node in ast.walk(ast.parse(path.read_text())):
    names = []
    if isinstance(node, ast.ImportFrom) and node.module:
      names = [f'{node.module}.{a.name}' for a in node.names]
    elif isinstance(node, ast.Import):
      names = [a.name for a in node.names]
    for name in names:
      if name.startswith('smcp_jax.'):
        found.add(name.removeprefix('smcp_jax.'))
      elif name.startswith('configs'):
        found.add(name)  # the top-level configs package: never allowed
  return found


def _modules():
  for path in sorted(PACKAGE.rglob('*.py')):
    name = '.'.join(path.relative_to(PACKAGE).with_suffix('').parts)
    yield ('' if name == '__init__' else name.removesuffix('.__init__'),
           path)


def _room(name: str) -> str | None:
  """The ALLOWED key of a module: its exact name or its folder."""
  if name in ALLOWED:
    return name
  return next((p for p in ALLOWED
               if p.endswith('.') and (name + '.').startswith(p)), None)


@pytest.mark.parametrize('name,path', list(_modules()))
def test_no_import_runs_up_the_layers(name, path):
  imported = _imports(path)
  assert not any(i.startswith('configs') for i in imported), (
      f'{name} imports the top-level configs package')
  if name in COMMANDS or name in OLD_NAMES or name == '':
    return
  room = _room(name)
  assert room is not None, (
      f'{name} is in no room: put it in a folder by its job (or, for a '
      'command, add it to COMMANDS)')
  upward = sorted(i for i in imported if not i.startswith(ALLOWED[room])
                  and i not in ALLOWED[room])
  assert not upward, f'{name} imports {upward} from a higher layer'


def test_commands_live_only_at_the_top():
  """A module with a `main` is a command, and a command is listed."""
  with_main = {name for name, path in _modules()
               if 'def main(' in path.read_text() and name != 'cli.launcher'}
  assert with_main == set(COMMANDS)


@pytest.mark.parametrize('old,new', sorted(OLD_NAMES.items()))
def test_an_old_command_name_only_forwards(old, new):
  path = PACKAGE.joinpath(*old.split('.')).with_suffix('.py')
  assert not _imports(path), f'{old} imports code: it should only forward'
  text = path.read_text()
  assert f"OLD, NEW = 'smcp_jax.{old}', 'smcp_jax.{new}'" in text
  assert 'runpy.run_module(NEW, ' in text


def test_an_old_command_name_still_works():
  proc = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.data.toy', '--help'],
      capture_output=True, text=True, check=False, timeout=120)
  assert proc.returncode == 0, proc.stderr
  assert 'python -m smcp_jax.toy' in proc.stdout
  assert 'now python -m smcp_jax.toy' in proc.stderr


def test_the_rules_catch_an_upward_import(tmp_path):
  bad = tmp_path / 'x.py'
  bad.write_text('from smcp_jax.train import trainer\nimport configs.base\n')
  assert _imports(bad) == {'train.trainer', 'configs.base'}
  assert not 'train.trainer'.startswith(ALLOWED[_room('data.builder')])
  assert _room('serving.predictor') == 'serving.'
  assert _room('somewhere_new') is None
