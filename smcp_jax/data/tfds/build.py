# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Builds a TFDS data set from the files a user placed (nothing is
downloaded; the toy is generated): `python -m smcp_jax.prepare`."""

import os

from smcp_jax.data import folds
from smcp_jax.errors import DataError


def builder_for(dataset: str, data_dir: str, builder_config: str = ''):
  """The TFDS builder of `dataset` ('pascal', 'coco', 'toy')."""
  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets as tfds

  from smcp_jax.data.tfds import builders  # registers the builders
  del builders
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
