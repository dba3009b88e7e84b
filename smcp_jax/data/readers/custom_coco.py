# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A custom data set annotated as COCO instances JSON, made readable as
the custom VOC layout (readers/custom.py) once:

  ROOT/classes.txt                  line k names class id k
  ROOT/annotations/train.json       COCO instances of the training images
  ROOT/annotations/val.json         and of the test images
  ROOT/JPEGImages/FILE_NAME         the images (each image's file_name)

`python -m smcp_jax.custom_layout --from coco --root ROOT` rasterises every
image's annotations into ROOT/SegmentationClass/STEM.png (category id k ->
class k; smaller objects drawn over larger; crowds 255, as the COCO reader
does) and writes the train / val lists of the stems. A category id that
classes.txt does not list is refused, with its name.
"""

import io
import os

from PIL import Image
import tqdm

from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import coco
from smcp_jax.data.readers import custom
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError


def annotation_path(root: str, split: str) -> str:
  return os.path.join(root, 'annotations', f'{split}.json')


def rasterise(root: str, split: str) -> int:
  """Writes the split's label PNGs (those not yet written) and its list;
  returns how many labels it wrote."""
  names = custom.class_names(root)
  api = coco.load_api(annotation_path(root, split))
  unknown = {c['id']: c.get('name', '') for c in api.dataset.get(
      'categories', []) if not 1 <= c['id'] <= len(names)}
  if unknown:
    raise DataError(
        f'{annotation_path(root, split)}: category ids {unknown} are not in '
        f'classes.txt (ids 1..{len(names)}): add them there, or renumber '
        'the categories to their line in classes.txt')
  images = sorted(api.loadImgs(api.getImgIds()),
                  key=lambda info: info['file_name'])
  stems = [os.path.splitext(os.path.basename(info['file_name']))[0]
           for info in images]
  if len(set(stems)) != len(stems):
    raise DataError(f'{annotation_path(root, split)}: two images share a '
                    'file name stem; the labels are named by it')
  odd = [info['file_name'] for info in images if os.path.splitext(
      info['file_name'])[1].lower() not in ('.jpg', '.png')]
  if odd:
    raise DataError(f'{annotation_path(root, split)}: images must be .jpg or '
                    f'.png files, got {odd[:5]}')
  missing = [info['file_name'] for info in images if not tf.io.gfile.exists(
      os.path.join(root, voc_format.IMAGE_DIR, info['file_name']))]
  if missing:
    raise DataError(
        f'{len(missing)} image(s) of {annotation_path(root, split)} are not '
        f'in {os.path.join(root, voc_format.IMAGE_DIR)}: {missing[:5]}')
  folder = os.path.join(root, voc_format.VAL_LABEL_DIR)
  tf.io.gfile.makedirs(folder)
  identity = {k: k for k in range(1, len(names) + 1)}
  written = 0
  for info, stem in zip(tqdm.tqdm(images, desc=f'{split} labels',
                                  unit='img'), stems):
    path = os.path.join(folder, stem + '.png')
    if tf.io.gfile.exists(path):
      continue
    buffer = io.BytesIO()
    Image.fromarray(coco.semantic_label(api, info['id'], identity),
                    'L').save(buffer, format='PNG')
    tf.io.gfile.GFile(path, 'wb').write(buffer.getvalue())
    written += 1
  tf.io.gfile.makedirs(os.path.join(root, voc_format.LIST_DIR))
  voc_format.write_list(os.path.join(root, voc_format.LIST_DIR,
                                     f'{split}.txt'), stems)
  return written
