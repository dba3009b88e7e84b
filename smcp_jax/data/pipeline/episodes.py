# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Which images an episode uses, and how its arrays are made.

Test episodes are one list per run seed (seed + run), identical across
runs of this code. Training episode n is a stateless function of
(seed, n), drawn inside the tf.data graph (EpisodeSampler) and eagerly to
name the files of a batch that failed.
"""

import dataclasses

import numpy as np

from smcp_jax.data.pipeline import transforms
from smcp_jax.data.pipeline import weak
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers.class_index import ClassIndex
from smcp_jax.errors import DataError


@dataclasses.dataclass(frozen=True)
class Episode:
  """One K-shot episode: its images, and the seed of everything random in
  its arrays (weak annotations draw from [seed, index, 1]). 1-way: one
  class and its supports; N-way: `other_ways` holds the (class, supports)
  of ways 2..N, and the query is labelled 1..N."""
  index: int
  class_id: int
  support_ids: tuple[str, ...]
  query_id: str
  seed: int
  other_ways: tuple[tuple[int, tuple[str, ...]], ...] = ()

  @property
  def ways(self) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(class id, support ids) of every way, in order."""
    return ((self.class_id, self.support_ids),) + self.other_ways


@dataclasses.dataclass(frozen=True)
class EpisodeOptions:
  """How episodes are made; paper defaults, the authors' code behind flags.

  Attributes:
    image_size: square side the images and labels are resized to (417).
    resize: 'squash' to the square (the authors), or 'pad': the long side
      to it, pasted top-left (PFENet; test time only).
    label_nearest: the labels' nearest-neighbour rule, PIL's (the authors)
      or the one a named protocol's codebase uses (transforms.NEAREST_RULES).
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
  resize: str = 'squash'
  label_nearest: str = 'pil'
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
    if self.resize not in ('squash', 'pad'):
      raise DataError(f"resize must be 'squash' or 'pad', got "
                      f'{self.resize!r}')
    if self.label_nearest not in transforms.NEAREST_RULES:
      raise DataError(f'label_nearest must be one of '
                      f'{transforms.NEAREST_RULES}, got '
                      f'{self.label_nearest!r}')
    if self.image_size < 8:
      raise DataError(f'image_size must be >= 8, got {self.image_size}')


def usable_classes(index: ClassIndex, classes, shots: int) -> list[int]:
  """The classes with at least shots + 1 images; errors if none."""
  usable, short = [], []
  for c in classes:
    (usable if len(index.get(c, [])) >= shots + 1 else short).append(c)
  if short:
    counts = {c: len(index.get(c, [])) for c in short}
    raise DataError(
        f'classes {short} have fewer than {shots + 1} images ({counts}): no '
        f'{shots}-shot episode is possible. Lower config.data.min_area, '
        'check the list file, or use another fold.')
  return usable


def test_episodes(index: ClassIndex, classes, *, shots: int, seed: int,
                  num_episodes: int, order: str = 'random',
                  presence: ClassIndex | None = None,
                  max_passes: int | None = None) -> list[Episode]:
  """A run's test episodes, fixed by the seed, in one of the field's orders
  (data/protocols.py); supports and queries come from `index`:
    random      class uniform, then shots + 1 distinct images of it, the
                last the query (PANet; HSNet on COCO);
    sequential  each image of `index` holding a class in turn (sorted,
                re-looped), its class drawn among those `presence` (default
                `index`) lists it under (PFENet, BAM);
    pairs       each (image, class) of `index` in turn (HSNet on PASCAL).
  Supports are distinct and never the query. `max_passes` caps the
  ordered turns at that many passes over the queries."""
  rng = np.random.default_rng(seed)
  pools = {c: index[c] for c in classes}
  if order == 'random':
    turns = (None for _ in range(num_episodes))
  else:
    queries = _query_turns(pools, presence or index, shots, order)
    if max_passes:
      num_episodes = min(num_episodes, max_passes * len(queries))
    turns = (queries[n % len(queries)] for n in range(num_episodes))
  out = []
  for number, turn in enumerate(turns):
    if turn is None:
      class_id = int(classes[rng.integers(len(classes))])
      images = pools[class_id]
      picks = rng.choice(len(images), shots + 1, replace=False)
      support_ids = tuple(images[p] for p in picks[:-1])
      query_id = images[picks[-1]]
    else:
      query_id, options = turn
      class_id = options[rng.integers(len(options))]
      others = [i for i in pools[class_id] if i != query_id]
      support_ids = tuple(others[p] for p in
                          rng.choice(len(others), shots, replace=False))
    out.append(Episode(number, class_id, support_ids, query_id, seed))
  return out


def way_episodes(index: ClassIndex, classes, *, ways: int, shots: int,
                 seed: int, num_episodes: int) -> list[Episode]:
  """PANet's N-way episodes: N distinct classes, K supports of each (the
  ways' images drawn apart, so one image may serve two ways), and one
  query from the way the run picked once at its start, as PANet draws it
  (`n_queries` = 1)."""
  rng = np.random.default_rng(seed)
  query_way = int(rng.integers(ways))
  out = []
  for number in range(num_episodes):
    picked = [int(c) for c in rng.choice(classes, ways, replace=False)]
    supports, query_id = [], None
    for way, class_id in enumerate(picked):
      images = index[class_id]
      count = shots + (way == query_way)
      picks = rng.choice(len(images), count, replace=False)
      supports.append(tuple(images[p] for p in picks[:shots]))
      if way == query_way:
        query_id = images[picks[-1]]
    out.append(Episode(number, picked[0], supports[0], query_id, seed,
                       tuple(zip(picked[1:], supports[1:]))))
  return out


def _query_turns(pools: ClassIndex, presence: ClassIndex, shots: int,
                 order: str) -> list[tuple[str, list[int]]]:
  """(query image, the classes it may be asked for) in the order's turn:
  a class only where `shots` other images of it can be supports."""
  pools_set = {c: set(v) for c, v in pools.items()}
  enough = lambda c, image: len(pools[c]) - (image in pools_set[c]) >= shots
  if order == 'pairs':
    return [(image, [c]) for image, c in sorted(
        (i, c) for c, images in pools.items() for i in images)
            if enough(c, image)]
  held = {}
  for c in pools:
    for image in presence.get(c, ()):
      held.setdefault(image, []).append(c)
  queries = sorted({i for images in pools.values() for i in images})
  turns = [(image, [c for c in sorted(held.get(image, ())) if
                    enough(c, image)]) for image in queries]
  return [(image, options) for image, options in turns if options]


class EpisodeSampler:
  """Which images training episode n uses: stateless in (seed, n).

  Usable in the tf.data graph and eagerly, so an episode that fails to
  decode can be traced back to its files.
  """

  def __init__(self, source, split: str, class_index, classes, *, seed: int,
               shots: int, flip: bool = True):
    ids = [i for c in classes for i in class_index[c]]
    counts = np.array([len(class_index[c]) for c in classes], np.int64)
    self.images = tf.constant([source.image_path(i, split) for i in ids])
    self.labels = tf.constant([source.label_path(i, split) for i in ids])
    # Files are read as files; a TFDS data set's records by their keys.
    self._read_pair = getattr(source, 'tf_read_pair', None)
    self._read_file = getattr(source, 'read_file', tf.io.read_file)
    self.offsets = tf.constant(
        np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64))
    self.counts = tf.constant(counts)
    self.class_ids = tf.constant(classes, tf.int32)
    self.seed, self.shots, self.flip = seed, shots, flip

  def __call__(self, number):
    """(class id, shots + 1 flat image indices, shots + 1 flips)."""
    key = tf.stack([tf.constant(self.seed, tf.int64), number])
    fold = lambda i: tf.random.experimental.stateless_fold_in(key, i)
    k = tf.random.stateless_uniform([], fold(0),
                                    maxval=self.class_ids.shape[0],
                                    dtype=tf.int64)
    order = tf.random.experimental.stateless_shuffle(
        tf.range(self.counts[k]), fold(1))
    picks = self.offsets[k] + order[:self.shots + 1]
    mirrored = (tf.random.stateless_uniform([self.shots + 1], fold(2)) < 0.5
                if self.flip else tf.zeros([self.shots + 1], tf.bool))
    return self.class_ids[k], picks, mirrored

  def read(self, pick: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The encoded image and label of flat image index `pick`."""
    if self._read_pair:
      return self._read_pair(self.images[pick])
    return (tf.io.read_file(self.images[pick]),
            tf.io.read_file(self.labels[pick]))

  def read_file(self, path: str):
    """The bytes of a file `files` names, read eagerly."""
    return self._read_file(path)

  def files(self, number: int) -> list[str]:
    """The image and label paths of episode `number`, supports first."""
    _, picks, _ = self(tf.constant(number, tf.int64))
    return [path.decode() for pick in picks.numpy()
            for path in (self.images[pick].numpy(),
                         self.labels[pick].numpy())]
