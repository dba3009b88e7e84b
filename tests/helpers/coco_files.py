# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A hand-made COCO split on disk, for the COCO reader and builder tests."""

import json

import numpy as np
from PIL import Image


def write_coco(root, split: str = 'train2014') -> str:
  """A hand-made COCO split in `root`: three images, five boxes (a crowd
  among them), category ids 1, 2, 3, 90."""
  (root / 'annotations').mkdir(parents=True, exist_ok=True)
  (root / split).mkdir()
  images, anns = [], []
  categories = [{'id': i, 'name': f'c{i}'} for i in (1, 2, 3, 90)]
  for image_id in (1, 2, 3):
    name = f'COCO_{split}_{image_id:012d}.jpg'
    Image.fromarray(np.full((40, 50, 3), 100, np.uint8)).save(
        root / split / name)
    images.append({'id': image_id, 'file_name': name, 'height': 40,
                   'width': 50})
  def box(ann_id, image_id, cat, x0, y0, x1, y1, crowd=0):
    anns.append({'id': ann_id, 'image_id': image_id, 'category_id': cat,
                 'iscrowd': crowd, 'area': float((x1 - x0) * (y1 - y0)),
                 'bbox': [x0, y0, x1 - x0, y1 - y0],
                 'segmentation': [[x0, y0, x1, y0, x1, y1, x0, y1]]})
  box(1, 1, 1, 0, 0, 20, 20)
  box(2, 1, 90, 30, 10, 40, 30)
  box(3, 2, 1, 5, 5, 15, 15)
  box(4, 2, 2, 20, 20, 45, 35, crowd=1)
  box(5, 3, 3, 2, 2, 48, 38)
  (root / 'annotations' / f'instances_{split}.json').write_text(json.dumps(
      {'images': images, 'annotations': anns, 'categories': categories}))
  return str(root)
