# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO 2014 reader for COCO-20i, with full semantic labels.

`root` holds train2014/, val2014/ and annotations/instances_{split}.json.
The 80 categories in ascending id order become classes 1..80. Unlike the
authors' (broken) COCO path, each image gets one semantic label: the
categories' masks (smaller objects drawn over larger), crowd regions 255.
Training reads them as PNGs, written once by

  python -m smcp_jax.coco_labels --root data/coco
"""

import contextlib
import io
import json
import os

import numpy as np
from PIL import Image
from pycocotools import coco as coco_api
from pycocotools import mask as mask_utils
import tqdm

from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import pascal
from smcp_jax.errors import DataError

SPLITS = ('train2014', 'val2014')


def load_api(path: str) -> coco_api.COCO:
  """pycocotools' index of an instances JSON, read through tf.io.gfile."""
  if not tf.io.gfile.exists(path):
    raise DataError(f'missing annotation file {path}')
  api = coco_api.COCO()
  with tf.io.gfile.GFile(path) as f:
    try:
      api.dataset = json.load(f)
    except json.JSONDecodeError as e:
      raise DataError(f'{path} is not JSON ({e})') from None
  with contextlib.redirect_stdout(io.StringIO()):
    api.createIndex()
  return api


def annotation_masks(api: coco_api.COCO, image_id: int):
  """(annotation, boolean mask) of an image, larger objects first, so that
  smaller ones are drawn over them."""
  info = api.loadImgs(image_id)[0]
  annotations = sorted(api.loadAnns(api.getAnnIds(imgIds=image_id)),
                       key=lambda a: -a['area'])
  for ann in annotations:
    segm = ann['segmentation']
    if isinstance(segm, list):
      rle = mask_utils.merge(mask_utils.frPyObjects(
          segm, info['height'], info['width']))
    elif isinstance(segm['counts'], list):
      rle = mask_utils.frPyObjects(segm, info['height'], info['width'])
    else:
      rle = segm
    yield ann, mask_utils.decode(rle).astype(bool)


def semantic_label(api: coco_api.COCO, image_id: int,
                   class_of_category: dict[int, int]) -> np.ndarray:
  """One image's semantic label: each category's class id, crowds 255,
  0 elsewhere."""
  info = api.loadImgs(image_id)[0]
  label = np.zeros((info['height'], info['width']), np.uint8)
  for ann, mask in annotation_masks(api, image_id):
    label[mask] = (IGNORE_LABEL if ann.get('iscrowd')
                   else class_of_category[ann['category_id']])
  return label


class COCO20i:
  """COCO 2014 images with semantic and instance labels built from polygons/RLE."""

  def __init__(self, root: str):
    if not tf.io.gfile.isdir(root):
      raise DataError(f'data root {root!r} does not exist. Point '
                      'config.data.root at the folder holding train2014/, '
                      'val2014/ and annotations/.')
    self.root = root
    self._apis = {}

  def _api(self, split: str) -> coco_api.COCO:
    if split not in SPLITS:
      raise DataError(f'unknown COCO split {split!r}; use one of {SPLITS}')
    if split not in self._apis:
      self._apis[split] = load_api(os.path.join(
          self.root, 'annotations', f'instances_{split}.json'))
    return self._apis[split]

  def class_of_category(self, split: str) -> dict[int, int]:
    """COCO category id -> class 1..80 (ascending category ids)."""
    return {cat: i + 1 for i, cat in enumerate(sorted(
        self._api(split).getCatIds()))}

  def image_ids(self, split: str) -> list[str]:
    return [str(i) for i in sorted(self._api(split).getImgIds())]

  def label_path(self, image_id: str, split: str) -> str:
    """The prepared semantic label PNG (see `prepare_labels`)."""
    return os.path.join(self.root, 'annotations', f'semantic_{split}',
                        f'{int(image_id):012d}.png')

  def prepare_labels(self, split: str) -> int:
    """Writes every image's semantic label as a grey PNG, once.

    The tf.data training path reads labels from files; COCO's are polygons
    and RLE, so they are rasterised here. Returns the number written.
    """
    tf.io.gfile.makedirs(os.path.dirname(self.label_path('0', split)))
    written = 0
    for image_id in tqdm.tqdm(self.image_ids(split), desc=f'{split} labels',
                              unit='img'):
      path = self.label_path(image_id, split)
      if not tf.io.gfile.exists(path):
        buffer = io.BytesIO()
        Image.fromarray(self.load_label(image_id, split), 'L').save(
            buffer, format='PNG')
        tf.io.gfile.GFile(path, 'wb').write(buffer.getvalue())
        written += 1
    return written

  def image_path(self, image_id: str, split: str) -> str:
    info = self._api(split).loadImgs(int(image_id))[0]
    return os.path.join(self.root, split, info['file_name'])

  def _masks(self, image_id: str, split: str):
    return annotation_masks(self._api(split), int(image_id))

  def load_label(self, image_id: str, split: str) -> np.ndarray:
    return semantic_label(self._api(split), int(image_id),
                          self.class_of_category(split))

  def load_instances(self, image_id: str, split: str) -> np.ndarray:
    info = self._api(split).loadImgs(int(image_id))[0]
    instances = np.zeros((info['height'], info['width']), np.uint8)
    for number, (ann, mask) in enumerate(self._masks(image_id, split), 1):
      if not ann.get('iscrowd'):
        instances[mask] = min(number, 254)
    return instances

  def load_pair(self, image_id: str, split: str):
    image = pascal.read_image_file(self.image_path(image_id, split), 'RGB')
    label = self.load_label(image_id, split)
    if image.shape[:2] != label.shape:
      raise DataError(f'image {self.image_path(image_id, split)} is '
                      f'{image.shape[1::-1]} (W, H) but its annotations say '
                      f'{label.shape[::-1]}')
    return image, label

  def label_value(self, class_id: int) -> int:
    """The value of `class_id`'s pixels in a label map: its id."""
    return class_id

  def class_areas(self, split: str) -> dict[tuple[int, str], float]:
    """{(class, image id): the class's annotation area in the image},
    crowds left out."""
    classes = self.class_of_category(split)
    areas = {}
    for ann in self._api(split).dataset['annotations']:
      if not ann.get('iscrowd'):
        key = (classes[ann['category_id']], str(ann['image_id']))
        areas[key] = areas.get(key, 0) + ann['area']
    return areas

  def class_index(self, split: str, *, min_area: int = 0,
                  cache_dir: str | None = None):
    """Images per class from annotation areas (crowd excluded), sorted."""
    del cache_dir  # read from the json, nothing to cache
    index = {}
    for (c, image_id), area in self.class_areas(split).items():
      if area >= max(min_area, 1):
        index.setdefault(c, []).append(image_id)
    return {c: sorted(v, key=int) for c, v in sorted(index.items())}
