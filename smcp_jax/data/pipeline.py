# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The training input pipeline on tf.data, in TF graph ops only.

Global step t uses global episodes [t*G, (t+1)*G) for a global batch G.
Process p of P loads its contiguous slice of G/P of them, so the union over
hosts, and a run resumed at any step, see exactly the episodes of one
uninterrupted single-host run. Episode n is drawn with stateless random ops
from (seed, n): its class uniformly over the usable training classes, then
shots + 1 distinct images of that class (supports first, the query last)
and a flip per image.
"""

import numpy as np
import tensorflow as tf

from smcp_jax.data import episodes as episodes_lib
from smcp_jax.data import tf_ops
from smcp_jax.data import transforms
from smcp_jax.data.errors import DataError
from smcp_jax.data.loader import EpisodeOptions


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

  def files(self, number: int) -> list[str]:
    """The image and label paths of episode `number`, supports first."""
    _, picks, _ = self(tf.constant(number, tf.int64))
    return [path.decode() for pick in picks.numpy()
            for path in (self.images[pick].numpy(),
                         self.labels[pick].numpy())]


def training_dataset(sampler: EpisodeSampler, train_classes,
                     options: EpisodeOptions, *, global_batch: int,
                     process_index: int = 0, process_count: int = 1,
                     start_step: int = 0) -> tf.data.Dataset:
  """Batches of this process's training episodes, from `start_step` on.

  Each element is a dict with a leading local batch axis of
  global_batch // process_count: support_images (K, S, S, 3) float32,
  support_masks (K, S, S) float32, support_label / support_mcl_label
  (K, S, S) uint8, query_image, query_label, query_mcl_label, class_id,
  episode (the global episode number) and files (K + 1 image paths,
  supports first), the last two for error messages.
  """
  if global_batch % process_count:
    raise DataError(f'global batch {global_batch} is not divisible by the '
                    f'{process_count} processes')
  local = global_batch // process_count
  shots = sampler.shots
  mcl_table = tf.constant(transforms.mcl_lookup(train_classes,
                                                options.mcl_remap))
  size = options.image_size

  def view(pick, mirrored, class_id, ignore_boundary):
    image = tf_ops.resize_image(tf_ops.decode_image(sampler.images[pick]),
                                size)
    label = tf_ops.resize_label(tf_ops.decode_label(sampler.labels[pick]),
                                size)
    image, label = tf.cond(
        mirrored, lambda: (image[:, ::-1], label[:, ::-1]),
        lambda: (image, label))
    return (tf_ops.normalize(image),
            tf_ops.binary_label(label, class_id, ignore_boundary),
            tf.gather(mcl_table, tf.cast(label, tf.int32)),
            tf.cast(label == tf.cast(class_id, tf.uint8), tf.float32))

  def episode(number):
    class_id, picks, mirrored = sampler(number)
    support = [view(picks[j], mirrored[j], class_id,
                    options.support_ignore_boundary) for j in range(shots)]
    q_image, q_label, q_mcl, _ = view(picks[shots], mirrored[shots],
                                      class_id, True)
    return {
        'support_images': tf.stack([s[0] for s in support]),
        'support_masks': tf.stack([s[3] for s in support]),
        'support_label': tf.stack([s[1] for s in support]),
        'support_mcl_label': tf.stack([s[2] for s in support]),
        'query_image': q_image,
        'query_label': q_label,
        'query_mcl_label': q_mcl,
        'class_id': class_id,
        'episode': number,
        'files': tf.gather(sampler.images, picks),
    }

  def global_number(n):
    step, slot = n // local, n % local
    return step * global_batch + process_index * local + slot

  options_tf = tf.data.Options()
  options_tf.deterministic = True
  return (tf.data.Dataset.range(start_step * local, np.iinfo(np.int64).max)
          .map(global_number)
          .map(episode, num_parallel_calls=tf.data.AUTOTUNE,
               deterministic=True)
          .batch(local, drop_remainder=True)
          .prefetch(2)
          .with_options(options_tf))
