# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Which images hold which class: the per-class lists episodes draw from."""

import concurrent.futures
import glob
import hashlib
import json
import os
import sys

import numpy as np
import tqdm

from smcp_jax.data.labels import BACKGROUND
from smcp_jax.data.labels import IGNORE_LABEL

ClassIndex = dict[int, list[str]]


def default_cache_dir() -> str:
  base = os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache'))
  return os.path.join(base, 'smcp_jax', 'class_index')


def _labels_digest(source, ids, split: str) -> str:
  """The label files' sizes and modification times, digested ('-' for a
  source that reads no label files, as COCO's json or TFDS)."""
  if not hasattr(source, 'label_path'):
    return '-'
  stamps = []
  for image_id in ids:
    try:
      stat = os.stat(source.label_path(image_id, split))
      stamps.append((stat.st_size, stat.st_mtime_ns))
    except OSError:
      stamps.append(None)  # reading it will say what is wrong
  return hashlib.sha1(json.dumps(stamps).encode()).hexdigest()[:16]


def _class_areas(source, image_id: str, split: str) -> dict[int, int]:
  counts = np.bincount(source.load_label(image_id, split).ravel(),
                       minlength=256)
  classes = np.flatnonzero(counts[:IGNORE_LABEL])
  return {int(c): int(counts[c]) for c in classes if c != BACKGROUND}


def scan_class_index(source, split: str, *, min_area: int = 0,
                     cache_dir: str | None = None,
                     workers: int = 8) -> ClassIndex:
  """Images per class from the label files, cached on disk.

  An image belongs to class c if its label has at least max(min_area, 1)
  pixels of c at its original resolution (the authors: any pixel; PFENet:
  2*32*32). Lists are sorted, so episodes do not depend on the file system.
  """
  ids = source.image_ids(split)
  folder = cache_dir or default_cache_dir()
  # Named by what was indexed, then by the label files as they are now
  # (sizes and modification times): labels fixed or made again in place
  # are indexed again.
  what = hashlib.sha1(json.dumps(
      [os.path.abspath(source.root), split, min_area, ids]).encode())
  prefix = what.hexdigest()[:16]
  cache = os.path.join(folder, f'{prefix}-{_labels_digest(source, ids, split)}'
                       '.json')
  if os.path.exists(cache):
    with open(cache) as f:
      return {int(c): v for c, v in json.load(f).items()}
  stale = glob.glob(os.path.join(glob.escape(folder), prefix + '-*.json'))
  if stale:
    print(f'note: the {split} labels changed since they were indexed; '
          'indexing them again', file=sys.stderr, flush=True)
  index: ClassIndex = {}
  with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    areas = pool.map(lambda i: _class_areas(source, i, split), ids)
    for image_id, per_class in tqdm.tqdm(
        zip(ids, areas), total=len(ids), desc=f'indexing {split} classes',
        unit='img', leave=False):
      for c, area in per_class.items():
        if area >= max(min_area, 1):
          index.setdefault(c, []).append(image_id)
  index = {c: sorted(v) for c, v in sorted(index.items())}
  try:
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    tmp = cache + f'.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
      json.dump(index, f)
    os.replace(tmp, cache)
    for path in stale:
      os.remove(path)
  except OSError as e:  # as the compilation cache: never fatal
    print(f'warning: the class-index cache {os.path.dirname(cache)} cannot '
          f'be written ({e.strerror}); the lists are made again next time '
          '(set config.data.class_index_cache to a folder you can write)',
          file=sys.stderr, flush=True)
  return index
