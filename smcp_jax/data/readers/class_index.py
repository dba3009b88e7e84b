# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Which images hold which class: the per-class lists episodes draw from."""

import concurrent.futures
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
  key = hashlib.sha1(json.dumps(
      [os.path.abspath(source.root), split, min_area, ids]).encode())
  cache = os.path.join(cache_dir or default_cache_dir(),
                       key.hexdigest()[:16] + '.json')
  if os.path.exists(cache):
    with open(cache) as f:
      return {int(c): v for c, v in json.load(f).items()}
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
  except OSError as e:  # as the compilation cache: never fatal
    print(f'warning: the class-index cache {os.path.dirname(cache)} cannot '
          f'be written ({e.strerror}); the lists are made again next time '
          '(set config.data.class_index_cache to a folder you can write)',
          file=sys.stderr, flush=True)
  return index
