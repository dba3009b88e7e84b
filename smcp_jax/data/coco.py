# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The old name of `python -m smcp_jax.coco_labels`, kept for one release."""

import runpy
import sys

OLD, NEW = 'smcp_jax.data.coco', 'smcp_jax.coco_labels'

if __name__ == '__main__':
  print(f'note: python -m {OLD} is now python -m {NEW}; the old name '
        'goes in the next release', file=sys.stderr)
  runpy.run_module(NEW, run_name='__main__', alter_sys=True)
