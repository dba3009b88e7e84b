# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Builds a data set as TFDS (tfds_builders.py), from files the user has.

  python -m smcp_jax.data.prepare --dataset pascal \
      --manual_dir $HOME/downloads --data_dir $HOME/tensorflow_datasets
  python -m smcp_jax.data.prepare --dataset toy --data_dir data/tfds

Then train or evaluate with --config.data.source=tfds
--config.data.tfds_data_dir=DIR. A build that fails or is interrupted
leaves no data set that looks complete: TFDS writes into an incomplete.*
folder and renames it only at the end.
"""

import argparse
import os
import sys

from smcp_jax.data import folds
from smcp_jax.data.errors import DataError


def _parse_args(argv):
  parser = argparse.ArgumentParser(
      prog='python -m smcp_jax.data.prepare',
      description='Builds a data set as TFDS from the files you placed in '
      '--manual_dir (nothing is downloaded; toy is generated).')
  parser.add_argument('--dataset', required=True,
                      choices=sorted(folds.TFDS_NAMES))
  parser.add_argument('--manual_dir', default='',
                      help='the archives or folders (pascal, coco)')
  parser.add_argument('--data_dir', required=True,
                      help='where the TFDS data set is written (a local '
                      'folder or gs://)')
  parser.add_argument('--builder_config', default='',
                      help="the builder's config (toy: default or small)")
  return parser.parse_args(argv)


def builder_for(dataset: str, data_dir: str, builder_config: str = ''):
  """The TFDS builder of `dataset` ('pascal', 'coco', 'toy')."""
  # pylint: disable=g-import-not-at-top
  from smcp_jax.data import tfds_builders  # registers the builders
  import tensorflow_datasets as tfds
  del tfds_builders
  kwargs = {'config': builder_config} if builder_config else {}
  return tfds.builder(folds.TFDS_NAMES[dataset], data_dir=data_dir,
                      **kwargs)


def prepare(dataset: str, data_dir: str, manual_dir: str = '',
            builder_config: str = ''):
  """Builds the data set (once: a prepared one is kept); returns its
  builder."""
  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets as tfds
  builder = builder_for(dataset, data_dir, builder_config)
  if builder.MANUAL_DOWNLOAD_INSTRUCTIONS:
    what = ' '.join(builder.MANUAL_DOWNLOAD_INSTRUCTIONS.split())  # one line
    if not manual_dir:
      raise DataError(f'--manual_dir is required for {dataset}. {what}')
    if not os.path.isdir(manual_dir) or not os.listdir(manual_dir):
      raise DataError(f'--manual_dir {manual_dir} is missing or empty. '
                      f'{what}')
  config = tfds.download.DownloadConfig(manual_dir=manual_dir or None)
  builder.download_and_prepare(download_config=config)
  return builder


def main(argv=None):
  args = _parse_args(argv)
  try:
    builder = prepare(args.dataset, args.data_dir, args.manual_dir,
                      args.builder_config)
  except DataError as e:
    sys.exit(f'error: {e}')
  except KeyboardInterrupt:
    sys.exit('\ninterrupted; no data set was written')
  splits = ', '.join(f'{name} {split.num_examples}'
                     for name, split in builder.info.splits.items())
  print(f'{builder.info.full_name} in {builder.data_dir}: {splits}')


if __name__ == '__main__':
  main()
