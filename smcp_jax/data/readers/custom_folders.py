# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A custom data set as a folder per class (FSS-1000's layout), made the
custom VOC layout (readers/custom.py) once:

  IN/CLASS/NAME.jpg             an image showing CLASS
  IN/CLASS/NAME.png             its binary mask (grey >= 128: the object)

`python -m smcp_jax.custom_layout --from folders --root IN --out OUT`
writes OUT/classes.txt (the folders, sorted: line k is class k), the
images as OUT/JPEGImages/CLASS__NAME.jpg, their labels (the mask's pixels
= the class id), and train.txt / val.txt, both listing every image: the
class split decides which classes train and which are tested.

Each mask names one class, so other classes in the same image count as
background: the multi-class loss would learn that wrongly. Train such a
set with --config.model.use_mcl=false (the command says so).
"""

import io
import os

import numpy as np
from PIL import Image
import tqdm

from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import custom
from smcp_jax.data.readers import pascal
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError

SEPARATOR = '__'  # CLASS__NAME: the image id of IN/CLASS/NAME


def _pairs(root: str, name: str) -> list[tuple[str, str, str]]:
  """(image path, mask path, id) of a class folder's .jpg images, sorted."""
  folder = os.path.join(root, name)
  files = set(tf.io.gfile.listdir(folder))
  pairs = []
  for file in sorted(f for f in files if f.lower().endswith('.jpg')):
    stem = os.path.splitext(file)[0]
    if f'{stem}.png' not in files:
      raise DataError(f'{os.path.join(folder, file)} has no mask '
                      f'{os.path.join(folder, stem + ".png")}')
    pairs.append((os.path.join(folder, file),
                  os.path.join(folder, f'{stem}.png'),
                  f'{name}{SEPARATOR}{stem}'))
  return pairs


def convert(root: str, out: str) -> tuple[int, int]:
  """Writes OUT from the class folders of ROOT; returns (classes, images)."""
  if not tf.io.gfile.isdir(root):
    raise DataError(f'{root!r} is not a folder of class folders')
  names = sorted(n.rstrip('/') for n in tf.io.gfile.listdir(root)
                 if tf.io.gfile.isdir(os.path.join(root, n)))
  bad = [n for n in names if SEPARATOR in n or not n.strip()]
  if bad:
    raise DataError(f'class folder names may not contain {SEPARATOR!r}: '
                    f'{bad[:5]}')
  if not 2 <= len(names) <= 254:
    raise DataError(f'{root} holds {len(names)} class folders; a custom data '
                    'set needs 2..254')
  for sub in (voc_format.IMAGE_DIR, voc_format.VAL_LABEL_DIR,
              voc_format.LIST_DIR):
    tf.io.gfile.makedirs(os.path.join(out, sub))
  ids = []
  for class_id, name in enumerate(tqdm.tqdm(names, desc='classes',
                                            unit='class'), 1):
    pairs = _pairs(root, name)
    if not pairs:
      raise DataError(f'class folder {os.path.join(root, name)} holds no '
                      'image with its mask')
    for image_path, mask_path, image_id in pairs:
      grey = pascal.read_image_file(mask_path, 'L')
      size = Image.open(io.BytesIO(
          tf.io.gfile.GFile(image_path, 'rb').read())).size
      if size != grey.shape[::-1]:
        raise DataError(f'mask {mask_path} is {grey.shape[1]}x'
                        f'{grey.shape[0]} but its image is {size[0]}x'
                        f'{size[1]}')
      tf.io.gfile.copy(image_path, os.path.join(
          out, voc_format.IMAGE_DIR, image_id + '.jpg'), overwrite=True)
      buffer = io.BytesIO()
      Image.fromarray(np.where(grey >= 128, class_id, 0).astype(np.uint8),
                      'L').save(buffer, format='PNG')
      tf.io.gfile.GFile(os.path.join(out, voc_format.VAL_LABEL_DIR,
                                     image_id + '.png'), 'wb').write(
                                         buffer.getvalue())
      ids.append(image_id)
  for split in ('train', 'val'):
    voc_format.write_list(os.path.join(out, voc_format.LIST_DIR,
                                       f'{split}.txt'), ids)
  with tf.io.gfile.GFile(os.path.join(out, custom.CLASSES_FILE), 'w') as f:
    f.write(''.join(f'{name}\n' for name in names))
  return len(names), len(ids)
