# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The import layers of the README's "Code layout": no module imports back
up into a higher layer (entry points excepted)."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / 'smcp_jax'
# Command-line entry points inside the lower layers may import anything.
ENTRY_POINTS = {'data.check', 'models.summary'}
# Module prefix -> the prefixes of ours it may import.
ALLOWED = {
    'ops.': ('ops.',),
    'models.': ('models.', 'ops.'),
    'data.': ('data.',),
    'config_defaults': (),
    'config_lib': ('config_defaults', 'data.', 'models.', 'ops.'),
}


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
    yield name.removesuffix('.__init__'), path


@pytest.mark.parametrize('name,path', list(_modules()))
def test_no_import_runs_up_the_layers(name, path):
  assert not any(i.startswith('configs') for i in _imports(path)), (
      f'{name} imports the top-level configs package')
  if name in ENTRY_POINTS:
    return
  for prefix, allowed in ALLOWED.items():
    if name.startswith(prefix):
      upward = sorted(i for i in _imports(path)
                      if not i.startswith(allowed))
      assert not upward, f'{name} imports {upward} from a higher layer'


def test_the_rules_catch_an_upward_import(tmp_path):
  bad = tmp_path / 'x.py'
  bad.write_text('from smcp_jax import config_lib\nimport configs.base\n')
  assert _imports(bad) == {'config_lib', 'configs.base'}
  assert not 'config_lib'.startswith(ALLOWED['data.'])
