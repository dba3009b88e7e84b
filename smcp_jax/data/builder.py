# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""From a resolved config's sections (`config.data`, `config.test`) and
explicit values (seed, batch size, episode counts) to data sources,
training batches and test episodes."""

import hashlib

import ml_collections

from smcp_jax.data import folds
from smcp_jax.data import protocols
from smcp_jax.data.pipeline import episodes as episodes_lib
from smcp_jax.data.pipeline import train_batches
from smcp_jax.data.pipeline.eval_episodes import EpisodeLoader
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import coco
from smcp_jax.data.readers import custom
from smcp_jax.data.readers import fss1000
from smcp_jax.data.readers import pascal
from smcp_jax.data.tfds import source as tfds_source
from smcp_jax.errors import DataError


def make_source(data: ml_collections.ConfigDict):
  """The reader of `data.dataset` from `data.source`: its folders (the toy
  set has the PASCAL layout) or its TFDS data set."""
  if data.source == 'tfds':
    return tfds_source.TFDSSource(data.tfds_name, data.tfds_data_dir)
  if data.dataset == 'custom':
    return custom.CustomVOC(data.root)
  if data.dataset == 'coco':
    return coco.COCO20i(data.root)
  if data.dataset == 'fss1000':
    return fss1000.FSS1000(data.root, data.split_dir)
  return pascal.PascalVOC(data.root)


def class_split(data: ml_collections.ConfigDict):
  """(training classes, novel classes) of the configured fold (FSS-1000:
  of its trn and test class lists; custom: the user's split)."""
  if data.dataset == 'custom':
    return folds.custom_split(folds.custom_names(data), data.novel_classes,
                              data.folds, data.fold)
  if data.dataset == 'fss1000':
    source = make_source(data)
    return source.split_class_ids('trn'), source.split_class_ids('test')
  args = (data.dataset, data.fold, data.coco_split)
  return folds.train_classes(*args), folds.novel_classes(*args)


def _class_index(source, data, split):
  return source.class_index(split, min_area=data.min_area,
                            cache_dir=data.class_index_cache or None)


def held_out(data: ml_collections.ConfigDict, image_ids) -> set[str]:
  """The training split's images kept for validation: each id's sha1
  decides (against data.val_fraction), so the choice does not depend on the
  list's order or on the seed."""
  cut = data.val_fraction * 2**32
  return {i for i in image_ids
          if int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) < cut}


def _without(index, excluded: set[str]):
  return {c: [i for i in images if i not in excluded]
          for c, images in index.items()}


def train_sampler(data: ml_collections.ConfigDict, *, seed: int,
                  hold_out: bool):
  """The training EpisodeSampler; `hold_out`: leave out the images that
  validation holds out (held_out)."""
  if data.dataset == 'fss1000':
    raise DataError(
        'training on FSS-1000 is not supported yet (its masks name no class, '
        'so the multi-class loss has no labels); train on PASCAL or COCO and '
        'evaluate on FSS-1000 with --config.data.dataset=fss1000')
  source = make_source(data)
  train_classes, _ = class_split(data)
  first = source.image_ids(data.train_split)[0]
  if data.source == 'files' and not tf.io.gfile.exists(
      source.label_path(first, data.train_split)):
    raise DataError(
        f'no label file {source.label_path(first, data.train_split)}. For '
        f'COCO, rasterise the labels once: python -m smcp_jax.coco_labels '
        f'--root {data.root}')
  class_index = _class_index(source, data, data.train_split)
  if hold_out:
    class_index = _without(class_index, held_out(
        data, source.image_ids(data.train_split)))
  classes = episodes_lib.usable_classes(class_index, train_classes,
                                        data.shots)
  return episodes_lib.EpisodeSampler(
      source, data.train_split, class_index, classes, seed=seed,
      shots=data.shots, flip=data.flip)


def _training_options(data) -> episodes_lib.EpisodeOptions:
  """How training episodes (and validation's, at the training size) are
  made."""
  return episodes_lib.EpisodeOptions(
      image_size=data.image_size,
      support_ignore_boundary=data.support_ignore_boundary,
      mcl_remap=data.mcl_remap)


def train_dataset(data: ml_collections.ConfigDict, sampler, *,
                  global_batch: int, process_index: int = 0,
                  process_count: int = 1,
                  start_step: int = 0) -> tf.data.Dataset:
  """This process's batches of `global_batch` episodes per step (see
  train_batches.episode_batches), drawn by `sampler` (train_sampler)."""
  return train_batches.episode_batches(
      sampler, class_split(data)[0], _training_options(data),
      global_batch=global_batch, process_index=process_index,
      process_count=process_count, start_step=start_step)


def validation(data: ml_collections.ConfigDict, *, seed: int,
               num_episodes: int):
  """(episodes, loader, classes) of model selection: `num_episodes`
  episodes of the training classes that have shots + 1 held-out images,
  drawn from the held-out images only, scored against the label at the
  training input size."""
  source = make_source(data)
  train_classes, _ = class_split(data)
  kept = held_out(data, source.image_ids(data.train_split))
  index = {c: [i for i in images if i in kept] for c, images in
           _class_index(source, data, data.train_split).items()}
  # The classes with enough held-out images (a small set may lack some).
  classes = [c for c in train_classes
             if len(index.get(c, ())) >= data.shots + 1]
  if not classes:
    raise DataError(
        f'validation: no training class has {data.shots + 1} held-out images '
        f'({len(kept)} images held out); raise config.data.val_fraction '
        f'(now {data.val_fraction})')
  episodes = episodes_lib.test_episodes(
      index, classes, shots=data.shots, seed=seed,
      num_episodes=num_episodes)
  loader = EpisodeLoader(source, data.train_split, train_classes,
                         _training_options(data))
  return episodes, loader, classes


def test_class_index(data: ml_collections.ConfigDict,
                     test: ml_collections.ConfigDict, *,
                     min_area: int | None = None):
  """The test split's images per class, listed where the class covers at
  least `min_area` pixels (default test.min_area)."""
  return make_source(data).class_index(
      test.split, min_area=test.min_area if min_area is None else min_area,
      cache_dir=data.class_index_cache or None)


def test_loader(data: ml_collections.ConfigDict,
                test: ml_collections.ConfigDict) -> EpisodeLoader:
  """Makes the arrays of a test episode, as the config says."""
  options = episodes_lib.EpisodeOptions(
      image_size=test.image_size, resize=test.resize,
      label_nearest=test.label_nearest,
      support_ignore_boundary=data.support_ignore_boundary,
      mcl_remap=data.mcl_remap, annotation=test.annotation,
      box_choice=test.box_choice,
      original_label=test.label_resolution == 'original')
  return EpisodeLoader(make_source(data), test.split, class_split(data)[0],
                       options)


def test_episodes(data: ml_collections.ConfigDict,
                  test: ml_collections.ConfigDict, run: int,
                  num_episodes: int | None = None):
  """The episodes of test run `run` (its seed: test.seeds), in the
  protocol's order; `num_episodes` (default test.episodes)."""
  index = test_class_index(data, test)
  classes = episodes_lib.usable_classes(index, class_split(data)[1],
                                        data.shots)
  seed = protocols.parse_seeds(test.seeds)[run]
  if test.ways > len(classes):
    raise DataError(f'config.test.ways={test.ways} but the fold has '
                    f'{len(classes)} novel classes')
  if test.ways > 1:
    return episodes_lib.way_episodes(
        index, classes, ways=test.ways, shots=data.shots, seed=seed,
        num_episodes=num_episodes or test.episodes)
  presence = (test_class_index(data, test, min_area=0)
              if test.query_order == 'sequential' and test.min_area else None)
  return episodes_lib.test_episodes(
      index, classes, shots=data.shots, seed=seed,
      num_episodes=num_episodes or test.episodes, order=test.query_order,
      presence=presence, max_passes=protocols.get(test.protocol).max_passes)
