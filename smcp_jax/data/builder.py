# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""From a config to data sources, training batches and test episodes."""

import ml_collections
import tensorflow as tf

from smcp_jax import config_lib
from smcp_jax.data import coco
from smcp_jax.data import episodes as episodes_lib
from smcp_jax.data import folds
from smcp_jax.data import pascal
from smcp_jax.data import pipeline
from smcp_jax.data.errors import DataError
from smcp_jax.data.loader import EpisodeLoader
from smcp_jax.data.loader import EpisodeOptions

# protocol -> (PASCAL split, COCO split, label resolution). The authors (and
# PANet) tested PASCAL on trainaug; their COCO path is broken, so COCO tests
# on val2014 by default (config.test.split='train2014' gives PANet's).
TEST_PROTOCOLS = {'authors': ('trainaug', 'val2014', 'resized'),
                  'val': ('val', 'val2014', 'original')}


def make_source(data: ml_collections.ConfigDict):
  if data.dataset in ('pascal', 'toy'):
    source = pascal.PascalVOC(data.root)
    source.dataset = data.dataset
    return source
  if data.dataset == 'coco':
    return coco.COCO20i(data.root)
  raise DataError(f'unknown config.data.dataset {data.dataset!r}; use '
                  "'pascal', 'coco' or 'toy'")


def class_split(data: ml_collections.ConfigDict):
  """(training classes, novel classes) of the configured fold."""
  args = (data.dataset, data.fold, data.coco_split)
  return folds.train_classes(*args), folds.novel_classes(*args)


def test_setup(config: ml_collections.ConfigDict) -> tuple[str, str]:
  """(split, label resolution) of the test protocol, config overrides applied."""
  if config.test.protocol not in TEST_PROTOCOLS:
    raise DataError(f'unknown config.test.protocol {config.test.protocol!r};'
                    f' use one of {list(TEST_PROTOCOLS)}')
  voc_split, coco_split, resolution = TEST_PROTOCOLS[config.test.protocol]
  split = config.test.split or (
      coco_split if config.data.dataset == 'coco' else voc_split)
  resolution = config.test.label_resolution or resolution
  if resolution not in ('resized', 'original'):
    raise DataError("config.test.label_resolution must be 'resized' or "
                    f"'original', got {resolution!r}")
  return split, resolution


def _class_index(source, data, split):
  return source.class_index(split, min_area=data.min_area,
                            cache_dir=data.class_index_cache or None)


def train_sampler(config: ml_collections.ConfigDict):
  """The training EpisodeSampler of a resolved config."""
  data = config.data
  source = make_source(data)
  train_classes, _ = class_split(data)
  first = source.image_ids(data.train_split)[0]
  if not tf.io.gfile.exists(source.label_path(first, data.train_split)):
    raise DataError(
        f'no label file {source.label_path(first, data.train_split)}. For '
        f'COCO, rasterise the labels once: python -m smcp_jax.data.coco '
        f'--root {data.root}')
  class_index = _class_index(source, data, data.train_split)
  classes = episodes_lib.usable_classes(class_index, train_classes,
                                        data.shots)
  return pipeline.EpisodeSampler(source, data.train_split, class_index,
                                 classes, seed=config.seed, shots=data.shots,
                                 flip=data.flip)


def train_dataset(config: ml_collections.ConfigDict, *, global_batch: int,
                  process_index: int = 0, process_count: int = 1,
                  start_step: int = 0) -> tf.data.Dataset:
  """Training batches of this process (see pipeline.training_dataset)."""
  config = config_lib.resolve(config)
  data = config.data
  options = EpisodeOptions(
      image_size=data.image_size,
      support_ignore_boundary=data.support_ignore_boundary,
      mcl_remap=data.mcl_remap)
  return pipeline.training_dataset(
      train_sampler(config), class_split(data)[0], options,
      global_batch=global_batch, process_index=process_index,
      process_count=process_count, start_step=start_step)


def test_episodes(config: ml_collections.ConfigDict, run: int):
  """(episodes, loader) of test run `run` (seed + run), as the authors."""
  config = config_lib.resolve(config)
  data = config.data
  source = make_source(data)
  train_classes, novel = class_split(data)
  split, resolution = test_setup(config)
  index = _class_index(source, data, split)
  classes = episodes_lib.usable_classes(index, novel, data.shots)
  options = EpisodeOptions(
      image_size=data.image_size,
      support_ignore_boundary=data.support_ignore_boundary,
      mcl_remap=data.mcl_remap, annotation=config.test.annotation,
      box_choice=config.test.box_choice,
      original_label=resolution == 'original')
  loader = EpisodeLoader(source, split, train_classes, options,
                         seed=config.seed + run)
  return (episodes_lib.test_episodes(
      index, classes, shots=data.shots, seed=config.seed + run,
      num_episodes=config.test.episodes), loader)
