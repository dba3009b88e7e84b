# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Trains SMCP.

  python -m smcp_jax.train --config configs/pascal_split0.py --workdir runs/p0

Any config field can be overridden: --config.train.num_steps=1000. On
several hosts, launch one process per host with JAX_COORDINATOR_ADDRESS,
JAX_NUM_PROCESSES and JAX_PROCESS_ID set (or on a TPU pod / SLURM, where
jax.distributed finds them itself) and the same command.
"""

import sys

from absl import app
from absl import flags
from absl import logging
import jax
from ml_collections import config_flags

from smcp_jax import compile_cache
from smcp_jax import config_lib
from smcp_jax import train_lib
from smcp_jax.data.errors import DataError
from smcp_jax.data.quiet_tf import tf

_CONFIG = config_flags.DEFINE_config_file('config', None, 'config file',
                                          lock_config=True)
_WORKDIR = flags.DEFINE_string('workdir', None, 'where checkpoints, logs '
                               'and the exported params go')


def main(argv):
  del argv
  if not flags.FLAGS['verbosity'].present:
    logging.set_verbosity(logging.WARNING)  # orbax logs every save at INFO
  compile_cache.enable()
  if _CONFIG.value is None or _WORKDIR.value is None:
    sys.exit('error: --config and --workdir are required, e.g. '
             '--config configs/toy.py --workdir runs/toy')
  # Keep TF (the input pipeline) off the accelerators.
  tf.config.set_visible_devices([], 'GPU')
  train_lib.initialize_distributed()
  logging.info('process %d/%d, devices: %s', jax.process_index(),
               jax.process_count(), jax.devices())
  try:
    train_lib.train_and_evaluate(config_lib.resolve(_CONFIG.value),
                                 _WORKDIR.value)
  except train_lib.TrainingInterrupted as e:
    print(f'\n{e} in {_WORKDIR.value}; run the same command to resume.',
          file=sys.stderr)
    sys.exit(128 + e.signum)
  except (DataError, config_lib.ConfigError, FileNotFoundError,
          FloatingPointError) as e:
    sys.exit(f'error: {e}')


if __name__ == '__main__':
  app.run(main, flags_parser=config_lib.parse_flags)
