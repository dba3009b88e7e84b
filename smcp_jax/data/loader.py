# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Turns a test Episode into arrays, with numpy and PIL.

Test episodes are loaded like the authors' (PIL resizes), with weak support
annotations and the original-resolution label when asked; training goes
through the TF graph of pipeline.py instead.
"""

import dataclasses

import numpy as np

from smcp_jax.data import transforms
from smcp_jax.data import weak
from smcp_jax.data.episodes import Episode
from smcp_jax.data.errors import DataError


@dataclasses.dataclass(frozen=True)
class EpisodeOptions:
  """How episodes are made; paper defaults, the authors' code behind flags.

  Attributes:
    image_size: square side the images and labels are resized to (417).
    support_ignore_boundary: keep 255 boundary pixels ignored in the support
      binary label (paper, and the authors' query); False turns them into
      background as the authors' support label does.
    mcl_remap: multi-class targets over 1..|C_train| (paper); False keeps the
      original ids (the authors' 21 / 81-way head). Novel classes are 255.
    annotation: support mask for the prototype: 'dense', 'scribble' or
      'bbox' (test time, Table IX).
    box_choice: 'random' instance (paper) or 'largest' (authors' code).
    original_label: also return the query's binary label at its original
      resolution ('query_label_original'; the HSNet/PFENet protocol).
  """
  image_size: int = 417
  support_ignore_boundary: bool = True
  mcl_remap: bool = True
  annotation: str = 'dense'
  box_choice: str = 'random'
  original_label: bool = False

  def __post_init__(self):
    if self.annotation not in weak.ANNOTATIONS:
      raise DataError(f'annotation must be one of {weak.ANNOTATIONS}, got '
                      f'{self.annotation!r}')
    if self.box_choice not in weak.BOX_CHOICES:
      raise DataError(f'box_choice must be one of {weak.BOX_CHOICES}, got '
                      f'{self.box_choice!r}')
    if self.image_size < 8:
      raise DataError(f'image_size must be >= 8, got {self.image_size}')


class EpisodeLoader:
  """Loads, resizes and normalises the images of an episode."""

  def __init__(self, source, split: str, train_classes,
               options: EpisodeOptions, seed: int = 0):
    self.source, self.split, self.options, self.seed = (source, split,
                                                        options, seed)
    self.mcl_table = transforms.mcl_lookup(train_classes, options.mcl_remap)

  def _view(self, image_id: str, with_instances: bool):
    image, label = self.source.load_pair(image_id, self.split)
    size = self.options.image_size
    instances = (self.source.load_instances(image_id, self.split)
                 if with_instances else None)
    out = [transforms.resize_image(image, size),
           transforms.resize_label(label, size),
           None if instances is None else transforms.resize_label(instances,
                                                                  size)]
    return out, label

  def _support_mask(self, label, instances, class_id, rng):
    dense = label == class_id
    if self.options.annotation == 'scribble':
      return weak.scribble(dense, rng)
    if self.options.annotation == 'bbox':
      return weak.bbox(dense, instances, rng, self.options.box_choice)
    return dense

  def __call__(self, episode: Episode) -> dict[str, np.ndarray]:
    c, opts = episode.class_id, self.options
    rng = np.random.default_rng([self.seed, episode.index, 1])
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
        'class_id': np.int32(c),
        'episode': np.int64(episode.index),
    }
    if opts.original_label:
      out['query_label_original'] = transforms.binary_label(q_original, c)
    return out
