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

from typing import NamedTuple

import numpy as np

from smcp_jax.data.pipeline import tf_ops
from smcp_jax.data.pipeline import transforms
from smcp_jax.data.pipeline.episodes import EpisodeOptions
from smcp_jax.data.pipeline.episodes import EpisodeSampler
from smcp_jax.data.quiet_tf import tf
from smcp_jax.errors import DataError


class View(NamedTuple):
  """One image of an episode, resized and flipped, with its targets."""
  image: tf.Tensor  # (S, S, 3) float32, normalised
  binary_label: tf.Tensor  # (S, S) uint8: 1 class, 0 other, 255 ignored
  mcl_label: tf.Tensor  # (S, S) uint8 multi-class target
  mask: tf.Tensor  # (S, S) float32: 1 on the class (the prototype's mask)


def episode_batches(sampler: EpisodeSampler, train_classes,
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

  def view(pick, mirrored, class_id, ignore_boundary) -> View:
    image_bytes, label_bytes = sampler.read(pick)
    image = tf_ops.resize_image(tf_ops.decode_image(image_bytes), size)
    label = tf_ops.resize_label(tf_ops.decode_label(label_bytes), size)
    image, label = tf.cond(
        mirrored, lambda: (image[:, ::-1], label[:, ::-1]),
        lambda: (image, label))
    return View(image=tf_ops.normalize(image),
                binary_label=tf_ops.binary_label(label, class_id,
                                                 ignore_boundary),
                mcl_label=tf.gather(mcl_table, tf.cast(label, tf.int32)),
                mask=tf.cast(label == tf.cast(class_id, tf.uint8), tf.float32))

  def episode(number):
    class_id, picks, mirrored = sampler(number)
    support = [view(picks[j], mirrored[j], class_id,
                    options.support_ignore_boundary) for j in range(shots)]
    query = view(picks[shots], mirrored[shots], class_id, True)
    return {
        'support_images': tf.stack([s.image for s in support]),
        'support_masks': tf.stack([s.mask for s in support]),
        'support_label': tf.stack([s.binary_label for s in support]),
        'support_mcl_label': tf.stack([s.mcl_label for s in support]),
        'query_image': query.image,
        'query_label': query.binary_label,
        'query_mcl_label': query.mcl_label,
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
