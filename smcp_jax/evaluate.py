# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Evaluates a checkpoint on the novel classes of a fold.

  python -m smcp_jax.evaluate --config configs/pascal_split0.py \
      --checkpoint runs/p0 [--config.test.prototype=support] ...

`--checkpoint` is a training workdir (its latest checkpoint), the params
directory a run exports, or a converted checkpoint of the authors. Prints a
table and writes a JSON report beside the checkpoint.
"""

import json
import os
import sys

from absl import app
from absl import flags
from absl import logging
from flax import nnx
from ml_collections import config_flags

from smcp_jax import config_lib
from smcp_jax import eval_lib
from smcp_jax import model_io
from smcp_jax.data.errors import DataError

_CONFIG = config_flags.DEFINE_config_file('config', None, 'config file',
                                          lock_config=True)
_CHECKPOINT = flags.DEFINE_string('checkpoint', None,
                                  'workdir, params directory or converted '
                                  'checkpoint; empty = untrained network')
_PANELS = flags.DEFINE_integer('save_panels', 0, 'pictures of the first N '
                               'episodes of run 0, into a panels/ folder '
                               'beside the report')
flags.DEFINE_alias('save-panels', 'save_panels')
_REPORT = flags.DEFINE_string('report', '', 'JSON report path (default: '
                              'beside the checkpoint)')


def main(argv):
  del argv
  if not flags.FLAGS['verbosity'].present:
    logging.set_verbosity(logging.WARNING)  # orbax logs every save at INFO
  if _CONFIG.value is None:
    sys.exit('error: --config is required, e.g. --config configs/toy.py')
  try:
    config = config_lib.resolve(_CONFIG.value)
    if _CHECKPOINT.value:
      model, source = model_io.load_model(config, _CHECKPOINT.value)
    else:
      model, source = model_io.create_model(config), 'untrained'
    graphdef, params = nnx.split(model, nnx.Param)
    path = _REPORT.value or (
        eval_lib.report_path(_CHECKPOINT.value, config)
        if _CHECKPOINT.value else '')  # untrained: a report only if asked
    panels = os.path.join(os.path.dirname(os.path.abspath(path or '.')),
                          'panels')
    summary = eval_lib.evaluate(config, graphdef, params,
                                panels_dir=panels, num_panels=_PANELS.value)
  except (DataError, config_lib.ConfigError, FileNotFoundError) as e:
    sys.exit(f'error: {e}')
  summary['checkpoint'] = source
  print(eval_lib.format_table(summary))
  if path:
    with open(path, 'w') as f:
      json.dump(summary, f, indent=2)
    print(f'report: {path}')
  if _PANELS.value:
    print(f'pictures: {panels}')


if __name__ == '__main__':
  app.run(main, flags_parser=config_lib.parse_flags)
