# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A small "your own data" collection for the custom data set's worked
example (docs/custom_data.md), in the custom VOC layout or as COCO JSON:

  python -m smcp_jax.toy.custom_set --out data/shapes
  python -m smcp_jax.toy.custom_set --out data/shapes_coco --layout coco

12 classes of its own, none of the toy's: 4 shapes x 3 colours of the
pretraining set's primitives (toy/pretrain_set.py), textures at random, on
blurred-noise backgrounds; 1-3 objects an image, a 1-pixel ignored band on
object boundaries. Labels are grey PNGs (pixel value = class id), as
people's own tools write them.
"""

import json
import os

from absl import flags
import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
from scipy import ndimage
import tqdm

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.data import labels
from smcp_jax.data.readers import custom
from smcp_jax.data.readers import voc_format
from smcp_jax.toy import pretrain_set

SHAPES = ('star', 'hexagon', 'diamond', 'crescent')
COLOURS = ('purple', 'orange', 'cyan')
CLASS_NAMES = tuple(f'{colour} {shape}' for shape in SHAPES
                    for colour in COLOURS)  # class id k: CLASS_NAMES[k - 1]


def make_image(index: int, seed: int, size: int):
  """(RGB uint8 image, uint8 label: class ids, 255 on boundaries, uint8
  instance map: 1.. per object, 0 elsewhere and on boundaries)."""
  rng = np.random.default_rng([seed, index, 7])
  image = pretrain_set.background(size, rng)
  label = np.zeros((size, size), np.uint8)
  owner = np.zeros((size, size), np.uint8)
  for instance in range(1, int(rng.integers(1, 4)) + 1):
    class_id = int(rng.integers(len(CLASS_NAMES))) + 1
    shape, colour = SHAPES[(class_id - 1) // 3], COLOURS[(class_id - 1) % 3]
    texture = pretrain_set.TEXTURES[int(rng.integers(
        len(pretrain_set.TEXTURES)))]
    mask = pretrain_set.shape_mask(shape, size, rng)
    image[mask] = pretrain_set.textured(colour, texture, size, rng)[mask]
    label[mask] = class_id
    owner[mask] = instance
  edges = ndimage.grey_dilation(owner, size=2) != ndimage.grey_erosion(
      owner, size=2)
  label[edges] = labels.IGNORE_LABEL
  owner[edges] = 0
  return np.clip(image, 0, 255).astype(np.uint8), label, owner


def _coco_annotations(label, owner, image_number: int, first_id: int):
  """COCO instance annotations (RLE) of one image's objects."""
  out = []
  for instance in range(1, int(owner.max()) + 1):
    mask = owner == instance
    if not mask.any():
      continue  # an object drawn over entirely
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    out.append({'id': first_id + len(out), 'image_id': image_number,
                'category_id': int(label[mask][0]), 'iscrowd': 0,
                'area': float(mask.sum()),
                'bbox': [float(v) for v in mask_utils.toBbox(rle)],
                'segmentation': {'size': rle['size'],
                                 'counts': rle['counts'].decode()}})
  return out


def generate(out: str, *, num_train: int = 600, num_val: int = 200,
             size: int = 128, seed: int = 0, layout: str = 'voc') -> str:
  """Writes the collection under `out` in the custom VOC layout, or with
  `layout='coco'` as COCO instances JSON (annotations/train.json and
  val.json, RLE masks, no boundary band); returns `out`."""
  os.makedirs(os.path.join(out, voc_format.IMAGE_DIR), exist_ok=True)
  if layout == 'voc':
    for sub in (voc_format.VAL_LABEL_DIR, voc_format.LIST_DIR):
      os.makedirs(os.path.join(out, sub), exist_ok=True)
  ids = [f'shapes_{i:05d}' for i in range(num_train + num_val)]
  splits = {'train': ids[:num_train], 'val': ids[num_train:]}
  categories = [{'id': k, 'name': name, 'supercategory': 'shape'}
                for k, name in enumerate(CLASS_NAMES, 1)]
  coco = {split: {'images': [], 'annotations': [],
                  'categories': categories} for split in splits}
  for index, image_id in enumerate(tqdm.tqdm(ids, desc='shapes images',
                                             unit='img')):
    image, label, owner = make_image(index, seed, size)
    Image.fromarray(image).save(
        os.path.join(out, voc_format.IMAGE_DIR, image_id + '.jpg'),
        quality=95)
    if layout == 'voc':
      Image.fromarray(label).save(
          os.path.join(out, voc_format.VAL_LABEL_DIR, image_id + '.png'))
      continue
    split = coco['train' if index < num_train else 'val']
    split['images'].append({'id': index + 1, 'file_name': image_id + '.jpg',
                            'height': size, 'width': size})
    split['annotations'] += _coco_annotations(
        label, owner, index + 1, len(split['annotations']) + 1)
  if layout == 'voc':
    lists = os.path.join(out, voc_format.LIST_DIR)
    for split, split_ids in splits.items():
      voc_format.write_list(os.path.join(lists, f'{split}.txt'), split_ids)
  else:
    os.makedirs(os.path.join(out, 'annotations'), exist_ok=True)
    for split, content in coco.items():
      with open(os.path.join(out, 'annotations', f'{split}.json'), 'w') as f:
        json.dump(content, f)
  with open(os.path.join(out, custom.CLASSES_FILE), 'w') as f:
    f.write(''.join(f'{name}\n' for name in CLASS_NAMES))
  return out


FLAGS = flags.FlagValues()
_OUT = flags.DEFINE_string('out', None, 'output folder', required=True,
                           flag_values=FLAGS)
_NUM_TRAIN = flags.DEFINE_integer('num_train', 600, 'training images',
                                  flag_values=FLAGS)
_NUM_VAL = flags.DEFINE_integer('num_val', 200, 'test images',
                                flag_values=FLAGS)
_SIZE = flags.DEFINE_integer('size', 128, 'image side', flag_values=FLAGS)
_SEED = flags.DEFINE_integer('seed', 0, 'random seed', flag_values=FLAGS)
_LAYOUT = flags.DEFINE_enum(
    'layout', 'voc', ['voc', 'coco'], 'voc: label PNGs and lists; coco: '
    'annotations/train.json and val.json (then python -m '
    'smcp_jax.custom_layout --from coco --root OUT)', flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def run(argv) -> None:
  del argv
  out = generate(_OUT.value, num_train=_NUM_TRAIN.value,
                 num_val=_NUM_VAL.value, size=_SIZE.value, seed=_SEED.value,
                 layout=_LAYOUT.value)
  print(f'wrote the shapes collection ({_LAYOUT.value} layout, '
        f'{len(CLASS_NAMES)} classes) to {out}')


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
