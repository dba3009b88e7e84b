# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Reads a data set built by tfds_builders.py (config.data.source='tfds'),
as pascal.PascalVOC reads folders: the same ids, class lists, arrays and so
the same episodes, bit for bit.

Images are found by index: each split's ids and class lists come from the
data set's metadata (no record is read to index a split), and a record is
read from its ArrayRecord shard only when an episode uses it. A host holds
the metadata (ids, classes and areas: 4 MB in memory for PASCAL's
trainaug, 31 MB for COCO's train2014) and the shards' record offsets,
never the images. The image bytes are the file's own and labels are grey PNGs of the
same ids, so decoding gives the arrays the folder reader gives.
"""

import os

from absl import logging
import numpy as np

from smcp_jax.data import folds
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import pascal
from smcp_jax.errors import DataError

_PREFIX = 'tfds://'
_ENCODED = ('image', 'label', 'instances')


def _not_prepared(name: str, data_dir: str, builder_config) -> str:
  """What to do when `name` is not built in `data_dir`: pick a config that
  is (named with the flag that picks it), or build it."""
  base, config = name.split('/')[0], getattr(builder_config, 'name', '')
  found = sorted(
      other for other in tf.io.gfile.listdir(os.path.join(data_dir, base))
      if other.rstrip('/') != config and tf.io.gfile.glob(os.path.join(
          data_dir, base, other, '*', 'dataset_info.json'))
  ) if tf.io.gfile.isdir(os.path.join(data_dir, base)) else []
  dataset = base.removeprefix('smcp_')
  build = (f'python -m smcp_jax.prepare --dataset {dataset} --data_dir '
           f'{data_dir}' + (f' --builder_config {config}' if config else '')
           + ('' if dataset == 'toy' else ' --manual_dir DIR'))
  message = (f'no prepared data set {base}' + (f'/{config}' if config else '')
             + f' in {data_dir!r} (a build that failed or was interrupted '
             'leaves none).')
  if found:
    others = ', '.join(f'{base}/{other.rstrip("/")}' for other in found)
    message += (f' It holds {others}: pick one with --config.data.tfds_name='
                f'{base}/{found[0].rstrip("/")}, or build this one:')
  else:
    message += ' Build it:'
  return f'{message} {build}'


class TFDSSource:
  """A prepared TFDS data set of smcp-jax, read by index."""

  def __init__(self, name: str, data_dir: str):
    """`name` as tfds.builder takes it ('smcp_pascal', 'smcp_toy/small');
    `data_dir` the folder (or gs:// bucket) `prepare` wrote."""
    # pylint: disable=g-import-not-at-top
    import tensorflow_datasets as tfds

    from smcp_jax.data.tfds import builders  # registers the builders
    del builders
    self._tfds = tfds
    known = sorted(folds.TFDS_NAMES.values())
    if name.split('/')[0] not in known:
      raise DataError(f'config.data.tfds_name={name!r} is none of the data '
                      f'sets smcp-jax builds: {known}')
    verbosity = logging.get_verbosity()
    logging.set_verbosity(logging.ERROR)  # the error below says it better
    try:
      self._builder = tfds.builder(name, data_dir=data_dir)
      prepared = self._builder.is_prepared()
    except Exception as e:  # TFDS raises several types, e.g. for configs
      raise DataError(f'no TFDS data set {name!r}: '
                      f'{str(e).strip().splitlines()[0]}') from e
    finally:
      logging.set_verbosity(verbosity)
    if not prepared:
      raise DataError(_not_prepared(name, data_dir,
                                    self._builder.builder_config))
    self.name = self._builder.info.full_name
    self.root = str(self._builder.data_dir)  # versioned: keys the caches
    self._metadata = self._builder.info.metadata
    self._records = {}  # split -> its ArrayRecord data source
    self._positions = {}  # split -> {image id: record index}

  def _split(self, split: str) -> dict:
    if split not in self._metadata:
      raise DataError(f'{self.name} has no split {split!r}; it has '
                      f'{sorted(self._metadata)}')
    return self._metadata[split]

  @property
  def names(self) -> tuple[str, ...]:
    """A custom data set's class names (classes.txt, kept in the build)."""
    if 'class_names' not in self._metadata:
      raise DataError(f'{self.name} is not a custom data set: it has no '
                      'class names')
    return tuple(self._metadata['class_names'])

  def image_ids(self, split: str) -> list[str]:
    return list(self._split(split)['image_ids'])

  def class_index(self, split: str, *, min_area: int = 0,
                  cache_dir: str | None = None):
    """Images per class where the class's area is at least
    max(min_area, 1), in record order (the folder readers' order)."""
    del cache_dir  # read from the metadata, nothing to cache
    meta = self._split(split)
    index = {}
    for image_id, classes, areas in zip(meta['image_ids'], meta['classes'],
                                        meta['class_areas']):
      for c, area in zip(classes, areas):
        if area >= max(min_area, 1):
          index.setdefault(int(c), []).append(image_id)
    return dict(sorted(index.items()))

  def label_value(self, class_id: int) -> int:
    return class_id

  def image_path(self, image_id: str, split: str) -> str:
    """The image's name: in error messages, and its key in the graph."""
    return f'{_PREFIX}{self.name}/{split}/{image_id}'

  def label_path(self, image_id: str, split: str) -> str:
    return self.image_path(image_id, split) + '#label'

  def _record(self, image_id: str, split: str) -> dict:
    if split not in self._records:
      self._records[split] = self._builder.as_data_source(
          split=split, decoders={k: self._tfds.decode.SkipDecoding()
                                 for k in _ENCODED})
      self._positions[split] = {
          i: n for n, i in enumerate(self._split(split)['image_ids'])}
    position = self._positions[split].get(image_id)
    if position is None:
      raise DataError(f'image {image_id!r} is not in {self.name} {split}')
    return self._records[split][position]

  def _read_pair(self, key: bytes) -> tuple[bytes, bytes]:
    """The encoded image and label of an image_path key: one record read."""
    split, _, image_id = key.decode()[len(_PREFIX) + len(self.name) + 1:
                                      ].partition('/')
    record = self._record(image_id, split)
    return record['image'], record['label']

  def read_file(self, key: str) -> bytes:
    """The bytes an image_path or label_path key names (eagerly)."""
    path, _, what = key.partition('#')
    image, label = self._read_pair(path.encode())
    return label if what == 'label' else image

  def tf_read_pair(self, key: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(image bytes, label bytes) of an image_path key, read from its
    record in the tf.data graph (the files' tf.io.read_file)."""
    image, label = tf.numpy_function(self._read_pair, [key],
                                     (tf.string, tf.string), stateful=False)
    return tf.ensure_shape(image, []), tf.ensure_shape(label, [])

  def load_pair(self, image_id: str, split: str):
    """(image, label) arrays, decoded as the folder readers decode them."""
    record = self._record(image_id, split)
    where = self.image_path(image_id, split)
    return (pascal.decode_image_bytes(record['image'], 'RGB', where),
            pascal.decode_image_bytes(record['label'], 'label',
                                      where + '#label').astype(np.uint8))

  def load_instances(self, image_id: str, split: str) -> np.ndarray | None:
    record = self._record(image_id, split)
    if not record['has_instances']:
      return None
    return pascal.decode_image_bytes(
        record['instances'], 'label',
        self.image_path(image_id, split) + '#instances').astype(np.uint8)
