# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy set in FSS-1000's layout: a folder per class of image / mask
pairs, and HSNet-style class lists (`python -m smcp_jax.toy --layout
fss1000`).

Each class folder takes the first `per_class` toy images that hold the
class (trainaug, then val), the mask being that class's pixels (0 / 255,
VOC's void band counted as background). Classes 1-10 are 'trn', 11-15
'val', 16-20 'test'.
"""

import os

import numpy as np
from PIL import Image

from smcp_jax.data.readers import pascal
from smcp_jax.toy import classes as toy_classes


def class_folder(class_id: int) -> str:
  return toy_classes.class_name(class_id).replace(' ', '_')


SPLIT_CLASSES = {'trn': range(1, 11), 'val': range(11, 16),
                 'test': range(16, 21)}


def write_fss_layout(voc_root: str, out: str, per_class: int = 10) -> str:
  """Writes out/FSS-1000/<class>/<n>.{jpg,png} and out/splits/*.txt from
  the toy set at `voc_root`; returns the FSS-1000 folder."""
  source = pascal.PascalVOC(voc_root)
  root = os.path.join(out, 'FSS-1000')
  taken = {c: [] for c in range(1, toy_classes.NUM_CLASSES + 1)}
  for split in ('trainaug', 'val'):
    for image_id in source.image_ids(split):
      label = source.load_label(image_id, split)
      for c in np.unique(label):
        if c in taken and len(taken[c]) < per_class:
          taken[int(c)].append((image_id, label == c))
  for c, pairs in taken.items():
    folder = os.path.join(root, class_folder(c))
    os.makedirs(folder, exist_ok=True)
    for n, (image_id, mask) in enumerate(pairs, start=1):
      with open(source.image_path(image_id), 'rb') as f:
        jpeg = f.read()
      with open(os.path.join(folder, f'{n}.jpg'), 'wb') as f:
        f.write(jpeg)
      Image.fromarray(mask.astype(np.uint8) * 255).save(
          os.path.join(folder, f'{n}.png'))
  splits = os.path.join(out, 'splits')
  os.makedirs(splits, exist_ok=True)
  for split, classes in SPLIT_CLASSES.items():
    with open(os.path.join(splits, f'{split}.txt'), 'w') as f:
      f.write(''.join(class_folder(c) + '\n' for c in classes))
  return root
