# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Builds a data set as TFDS (data/tfds/builders.py), from files the user has.

  python -m smcp_jax.prepare --dataset pascal \
      --manual_dir $HOME/downloads --data_dir $HOME/tensorflow_datasets
  python -m smcp_jax.prepare --dataset toy --data_dir data/tfds

Then train or evaluate with --config.data.source=tfds
--config.data.tfds_data_dir=DIR. A build that fails or is interrupted
leaves no data set that looks complete: TFDS writes into an incomplete.*
folder and renames it only at the end.
"""

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.data import folds
from smcp_jax.data.tfds import build

FLAGS = flags.FlagValues()
_DATASET = flags.DEFINE_enum('dataset', None, sorted(folds.TFDS_NAMES),
                             'the data set to build', required=True,
                             flag_values=FLAGS)
_MANUAL_DIR = flags.DEFINE_string(
    'manual_dir', '', 'the archives or folders you placed (pascal, coco)',
    flag_values=FLAGS)
_DATA_DIR = flags.DEFINE_string(
    'data_dir', None, 'where the TFDS data set is written (a local folder or '
    'gs://)', required=True, flag_values=FLAGS)
_BUILDER_CONFIG = flags.DEFINE_string(
    'builder_config', '', "the builder's config (toy: default or small)",
    flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def run(argv) -> None:
  del argv
  builder = build.prepare(_DATASET.value, _DATA_DIR.value, _MANUAL_DIR.value,
                          _BUILDER_CONFIG.value)
  splits = ', '.join(f'{name} {split.num_examples}'
                     for name, split in builder.info.splits.items())
  print(f'{builder.info.full_name} in {builder.data_dir}: {splits}')


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False,
                interrupted='no data set was written')


if __name__ == '__main__':
  main()
