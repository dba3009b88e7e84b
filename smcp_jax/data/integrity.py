# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A data set's problems, found before training (`python -m
smcp_jax.check_data`): every listed image exists and decodes, has a label of
the same size with valid values (and the VOC palette where it is a palette
PNG), and every class of the fold has enough images for an episode."""

import collections
import concurrent.futures
import os

import numpy as np
from PIL import Image
import tqdm

from smcp_jax.data import builder
from smcp_jax.data import folds
from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.data.pipeline import episodes as episodes_lib
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError

_VOC_PALETTE = voc_format.voc_palette()


def _label_problem(source, image_id, split, num_classes):
  """The first problem of one image/label pair, or None."""
  image, label = source.load_pair(image_id, split)  # raises DataError
  values = np.unique(label)
  bad = [int(v) for v in values if v > num_classes and v != IGNORE_LABEL]
  if bad:
    return ('invalid label values',
            f'{image_id}: values {bad} (classes are 0..{num_classes}, '
            f'{IGNORE_LABEL})')
  if hasattr(source, 'label_path') and not hasattr(source, 'tf_read_pair'):
    # Label files (a TFDS data set's labels are grey PNGs by construction).
    with tf.io.gfile.GFile(source.label_path(image_id, split), 'rb') as f:
      png = Image.open(f)
      png.load()
      palette = png.getpalette() if png.mode == 'P' else None
    used = 3 * (int(values[values != IGNORE_LABEL].max(initial=0)) + 1)
    if palette is not None and palette[:used] != _VOC_PALETTE[:used]:
      return ('non-VOC palette',
              f'{image_id}: a palette PNG must use the VOC colour map '
              '(or save labels as grey PNGs)')
  del image
  return None


def check_split(source, split, num_classes, workers=8):
  """{problem kind: [examples]} over a split's images."""
  problems = collections.defaultdict(list)

  def one(image_id):
    try:
      return _label_problem(source, image_id, split, num_classes)
    except DataError as e:
      text = str(e)
      kind = ('missing label' if 'has no label' in text else
              'invalid label values' if 'pixel value' in text else
              'missing image' if 'missing file' in text else
              'size mismatch' if 'size' in text else 'unreadable file')
      return kind, text

  ids = source.image_ids(split)
  with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    for result in tqdm.tqdm(pool.map(one, ids), total=len(ids),
                            desc=f'checking {split}', unit='img'):
      if result:
        problems[result[0]].append(result[1])
  return ids, problems


def _unlisted_labels(source) -> int:
  """Prints the label files of a custom set that have no image; returns
  their count (a problem each)."""
  folder = os.path.join(source.root, voc_format.VAL_LABEL_DIR)
  labels = sorted(name[:-len('.png')] for name in tf.io.gfile.listdir(folder)
                  if name.endswith('.png')) if tf.io.gfile.isdir(
                      folder) else []
  orphans = [i for i in labels
             if not tf.io.gfile.exists(source.image_path(i))]
  if orphans:
    print(f'\nlabels without images: {len(orphans)} in {folder}')
    for image_id in orphans[:5]:
      print(f'    {image_id}.png (no JPEGImages/{image_id}.jpg or .png)')
  return len(orphans)


def _print_classes(source, split, index, classes, role, names) -> None:
  """One line a class of a custom set: id, name, role, images, pixels."""
  pixels = collections.Counter()
  for image_id in sorted({i for c in classes for i in index.get(c, ())}):
    counts = np.bincount(source.load_label(image_id, split).ravel(),
                         minlength=256)
    pixels.update({c: int(counts[c]) for c in classes})
  print(f'  {"id":>4} {"class":<20} {"role":<6} {"images":>7} '
        f'{"pixels":>10}')
  for c in classes:
    print(f'  {c:>4} {names[c - 1]:<20} {role:<6} '
          f'{len(index.get(c, [])):>7} {pixels[c]:>10}')


def report(config) -> int:
  """Prints the report of a resolved config's data; returns the number of
  problems found."""
  data = config.data
  source = builder.make_source(data)
  train_classes, novel = builder.class_split(data)
  test_split = config.test.split
  total = 0
  scanned = {}  # the authors' protocol tests on the training split
  roles = ((data.train_split, train_classes, 'train'),
           (test_split, novel, 'novel'))
  if data.dataset == 'fss1000':  # a test-only data set
    roles = roles[1:]
  if data.dataset == 'custom' and data.source == 'files':
    total += _unlisted_labels(source)
  for split, classes, role in roles:
    first_scan = split not in scanned
    if first_scan:
      scanned[split] = check_split(source, split,
                                   folds.num_classes(data))
    ids, problems = scanned[split]
    print(f'\n{split}: {len(ids)} images')
    for kind, examples in sorted(problems.items() if first_scan else ()):
      total += len(examples)
      print(f'  {kind}: {len(examples)}')
      for example in examples[:5]:
        print(f'    {example}')
    if problems:
      continue  # the class index would stop at the first broken file
    index = source.class_index(split, min_area=data.min_area,
                               cache_dir=data.class_index_cache or None)
    if data.dataset == 'custom':
      _print_classes(source, split, index, classes, role,
                     folds.custom_names(data))
    else:
      counts = {c: len(index.get(c, [])) for c in classes}
      print(f'  images per {role} class: {counts}')
    try:
      episodes_lib.usable_classes(index, classes, data.shots)
    except DataError as e:
      total += 1
      print(f'  {e}')
  print(f'\n{total} problem(s) found.' if total else '\nno problems found.')
  return total
