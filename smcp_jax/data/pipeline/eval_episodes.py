# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Loads test (evaluation) episodes into arrays, with numpy and PIL.

Test episodes are loaded like the authors' (PIL resizes), with weak support
annotations and the original-resolution label when asked; training goes
through the TF graph of train_pipeline.py instead.
"""

import numpy as np

from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.data.pipeline import transforms
from smcp_jax.data.pipeline import weak
from smcp_jax.data.pipeline.episodes import Episode
from smcp_jax.data.pipeline.episodes import EpisodeOptions


class EpisodeLoader:
  """Loads, resizes and normalises the images of an episode."""

  def __init__(self, source, split: str, train_classes,
               options: EpisodeOptions):
    self.source, self.split, self.options = source, split, options
    self.mcl_table = transforms.mcl_lookup(train_classes, options.mcl_remap)

  def _view(self, image_id: str, with_instances: bool):
    image, label = self.source.load_pair(image_id, self.split)
    opts = self.options
    fit_label = lambda array: transforms.fit(
        array, opts.image_size, opts.resize, label=True,
        nearest=opts.label_nearest)
    instances = (self.source.load_instances(image_id, self.split)
                 if with_instances else None)
    out = [transforms.fit(image, opts.image_size, opts.resize, label=False),
           fit_label(label),
           None if instances is None else fit_label(instances)]
    if opts.resize == 'pad':
      label = transforms.pad_to_square(label)
    return out, label

  def _support_mask(self, label, instances, class_id, rng):
    dense = label == class_id
    if self.options.annotation == 'scribble':
      return weak.scribble(dense, rng)
    if self.options.annotation == 'bbox':
      return weak.bbox(dense, instances, rng, self.options.box_choice)
    return dense

  def __call__(self, episode: Episode) -> dict[str, np.ndarray]:
    if episode.other_ways:
      return self._ways(episode)
    opts = self.options
    c = self.source.label_value(episode.class_id)  # its pixels' value
    rng = np.random.default_rng([episode.seed, episode.index, 1])
    images, masks, labels, mcl = [], [], [], []
    for image_id in episode.support_ids:
      (image, label, instances), _ = self._view(image_id,
                                                opts.annotation == 'bbox')
      images.append(transforms.normalize(image))
      masks.append(self._support_mask(label, instances, c, rng))
      labels.append(transforms.binary_label(label, c,
                                            opts.support_ignore_boundary))
      mcl.append(self.mcl_table[label])
    (q_image, q_label, _), q_original = self._view(episode.query_id, False)
    out = {
        'support_images': np.stack(images),
        'support_masks': np.stack(masks).astype(np.float32),
        'support_label': np.stack(labels),
        'support_mcl_label': np.stack(mcl),
        'query_image': transforms.normalize(q_image),
        'query_label': transforms.binary_label(q_label, c),
        'query_mcl_label': self.mcl_table[q_label],
        'class_id': np.int32(episode.class_id),
        'episode': np.int64(episode.index),
    }
    if opts.original_label:
      out['query_label_original'] = transforms.binary_label(q_original, c)
    return out

  def _ways(self, episode: Episode) -> dict[str, np.ndarray]:
    """An N-way episode, as PANet labels it: supports (N, K, ...) with each
    way's class as foreground, the query labelled j + 1 on way j's class,
    0 elsewhere (other classes too), 255 kept."""
    opts = self.options
    rng = np.random.default_rng([episode.seed, episode.index, 1])
    images, masks = [], []
    for class_id, support_ids in episode.ways:
      value = self.source.label_value(class_id)
      way_images, way_masks = [], []
      for image_id in support_ids:
        (image, label, instances), _ = self._view(
            image_id, opts.annotation == 'bbox')
        way_images.append(transforms.normalize(image))
        way_masks.append(self._support_mask(label, instances, value, rng))
      images.append(np.stack(way_images))
      masks.append(np.stack(way_masks))
    (q_image, q_label, _), q_original = self._view(episode.query_id, False)
    class_ids = [c for c, _ in episode.ways]
    out = {
        'support_images': np.stack(images),
        'support_masks': np.stack(masks).astype(np.float32),
        'query_image': transforms.normalize(q_image),
        'query_label': self._way_label(q_label, class_ids),
        'class_ids': np.asarray(class_ids, np.int32),
        'episode': np.int64(episode.index),
    }
    if opts.original_label:
      out['query_label_original'] = self._way_label(q_original, class_ids)
    return out

  def _way_label(self, label: np.ndarray, class_ids) -> np.ndarray:
    out = np.where(label == IGNORE_LABEL, IGNORE_LABEL, 0).astype(np.uint8)
    for way, class_id in enumerate(class_ids):
      out[label == self.source.label_value(class_id)] = way + 1
    return out
