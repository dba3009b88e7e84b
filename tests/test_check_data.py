# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""`python -m smcp_jax.check_data` reports a data set's problems."""

import os
import subprocess
import sys

from smcp_jax.data.readers import pascal


def test_check_cli_reports_problems(broken_root, tmp_path):
  source = pascal.PascalVOC(broken_root)
  os.remove(source.label_path('toy_000004', 'trainaug'))
  with open(source.image_path('toy_000005'), 'wb') as f:
    f.write(b'garbage')
  result = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.check_data', '--config',
       'configs/toy.py', f'--config.data.root={broken_root}',
       f'--config.data.class_index_cache={tmp_path}/cache'],
      capture_output=True, text=True, timeout=300,
      cwd=os.path.dirname(os.path.dirname(__file__)))
  assert result.returncode == 1, result.stderr[-2000:]
  assert 'missing label: 1' in result.stdout
  assert 'unreadable file: 1' in result.stdout
  assert '2 problem(s) found.' in result.stdout
