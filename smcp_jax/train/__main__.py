# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Trains SMCP.

  python -m smcp_jax.train --config configs/pascal_split0.py --workdir runs/p0

Any config field can be overridden: --config.train.num_steps=1000. On
several hosts, launch one process per host with JAX_COORDINATOR_ADDRESS,
JAX_NUM_PROCESSES and JAX_PROCESS_ID set (or on a TPU pod / SLURM, where
jax.distributed finds them itself) and the same command.
"""

import sys

from absl import flags
from absl import logging
from ml_collections import config_flags

from smcp_jax.cli import launcher
from smcp_jax.errors import UserError

FLAGS = flags.FlagValues()
_CONFIG = config_flags.DEFINE_config_file('config', None, 'config file',
                                          flag_values=FLAGS, lock_config=True)
_WORKDIR = flags.DEFINE_string('workdir', None, 'where checkpoints, logs '
                               'and the exported params go', flag_values=FLAGS)


def run(argv) -> int | None:
  del argv
  if _CONFIG.value is None or _WORKDIR.value is None:
    raise UserError('--config and --workdir are required, e.g. '
                    '--config configs/toy.py --workdir runs/toy')
  # Imported here, so that --help and flag errors need no JAX or TF.
  # pylint: disable=g-import-not-at-top
  import jax

  from smcp_jax.cli import distributed
  from smcp_jax.config_lib import resolution
  from smcp_jax.data.quiet_tf import tf
  from smcp_jax.train import trainer
  # Keep TF (the input pipeline) off the accelerators.
  tf.config.set_visible_devices([], 'GPU')
  distributed.initialize()
  logging.info('process %d/%d, devices: %s', jax.process_index(),
               jax.process_count(), jax.devices())
  try:
    trainer.train_and_evaluate(resolution.resolve(_CONFIG.value),
                               _WORKDIR.value)
  except trainer.TrainingInterrupted as e:
    print(f'\n{e} in {_WORKDIR.value}; run the same command to resume.',
          file=sys.stderr)
    return 128 + e.signum


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
