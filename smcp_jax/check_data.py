# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Scans a data set for problems before training, and counts them.

  python -m smcp_jax.check_data --config configs/toy.py [--config.data.root=..]

Checks the training split and the test split of the config: every listed
image exists and decodes, has a label of the same size with valid values
(and the VOC palette where it is a palette PNG), and every class of the
fold has enough images for an episode. Exits 1 if anything is wrong.
"""

from absl import flags
from ml_collections import config_flags

from smcp_jax.cli import launcher
from smcp_jax.errors import UserError

FLAGS = flags.FlagValues()
_CONFIG = config_flags.DEFINE_config_file('config', None, 'config file',
                                          flag_values=FLAGS, lock_config=True)


def run(argv) -> int:
  del argv
  if _CONFIG.value is None:
    raise UserError('--config is required, e.g. --config configs/toy.py')
  # Imported here, so that --help and flag errors need no TF.
  # pylint: disable=g-import-not-at-top
  from smcp_jax.config_lib import resolution
  from smcp_jax.data import integrity
  return 1 if integrity.report(resolution.resolve(_CONFIG.value)) else 0


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
