# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Reading a user's images, masks and boxes, and writing masks.

Every problem is a DataError that names the file and says what to give
instead: a missing or undecodable file, a mask of another size than its
image, an empty or all-foreground mask, a box outside its image. Images and
masks are both turned upright by their EXIF orientation; 16-bit images are
scaled to 8 bits, and transparent pixels composed on a neutral colour.
"""

import os

from absl import logging
import numpy as np
from PIL import Image
from PIL import ImageOps

from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.errors import DataError

# Modes whose pixel values are the label values themselves.
_LABEL_MODES = ('1', 'L', 'P', 'I', 'I;16', 'I;16B', 'I;16L')
_16_BIT_MODES = ('I', 'I;16', 'I;16B', 'I;16L')
# The ImageNet mean colour: zero after normalisation, so the network sees
# transparent pixels as nothing in particular.
NEUTRAL_RGB = (124, 116, 104)
# A mask whose values besides 0 and 255 are all class ids (COCO has 80) is a
# label map, where 255 is VOC's void border, not foreground.
_MAX_CLASS_ID = 80


def _open(path: str) -> Image.Image:
  """Opens and fully decodes `path`; any decoder failure is a DataError."""
  if not os.path.isfile(path):
    raise DataError(f'{path}: no such file')
  try:
    with Image.open(path) as image:
      image.load()
      return image
  except Exception as e:  # PIL raises many types on corrupt files
    raise DataError(f'{path} is not a readable image ({type(e).__name__}: '
                    f'{e}); give a PNG or JPEG file') from e


def read_image(path: str) -> np.ndarray:
  """uint8 RGB (H, W, 3), turned upright by its EXIF orientation."""
  image = _open(path)
  try:
    return rgb_of(ImageOps.exif_transpose(image), path)
  except Exception as e:
    raise DataError(f'{path}: cannot convert to RGB ({e}); give a PNG or '
                    'JPEG file') from e


def rgb_of(image: Image.Image, where: str = 'image') -> np.ndarray:
  """uint8 RGB (H, W, 3) of a decoded image: 16-bit grey scaled to 8 bits
  (PIL's own conversion clips it to white), transparency composed on
  NEUTRAL_RGB with a warning."""
  if image.mode in _16_BIT_MODES:
    grey = np.asarray(image, np.float64) * 255 / 65535
    grey = np.clip(np.round(grey), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=-1)
  if image.has_transparency_data:
    logging.warning('%s has transparent pixels: composed on the neutral '
                    'colour %s (the ImageNet mean)', where, NEUTRAL_RGB)
    background = Image.new('RGBA', image.size, NEUTRAL_RGB + (255,))
    image = Image.alpha_composite(background, image.convert('RGBA'))
  return np.asarray(image.convert('RGB'))


def read_mask(path: str, class_id: int | None = None) -> np.ndarray:
  """Boolean (H, W) foreground of a mask or label PNG, turned upright by
  its EXIF orientation like its image (see mask_of)."""
  return mask_of(ImageOps.exif_transpose(_open(path)), class_id, path)


def mask_of(image: Image.Image, class_id: int | None = None,
            where: str = 'mask') -> np.ndarray:
  """Boolean (H, W) foreground of a decoded mask image.

  Foreground is every non-zero pixel, or the pixels equal to `class_id` when
  given (for a VOC-style label PNG holding several classes). In a label map
  (values besides 0 and 255 all class ids), 255 is the void border and not
  foreground. RGB masks are read through their grey level.
  """
  if image.mode not in _LABEL_MODES:
    image = image.convert('L')
  values = np.asarray(image)
  if values.ndim != 2:
    raise DataError(f'{where}: a mask must have one channel, got shape '
                    f'{values.shape}')
  if class_id is not None:
    return values == class_id
  ids = np.unique(values)
  ids = ids[(ids != 0) & (ids != IGNORE_LABEL)]
  if ids.size and ids.max() <= _MAX_CLASS_ID and IGNORE_LABEL in values:
    return (values > 0) & (values != IGNORE_LABEL)
  return values > 0


def parse_box(text: str) -> tuple[float, float, float, float]:
  """'x0,y0,x1,y1' (pixels, x1/y1 exclusive) -> a tuple of floats."""
  try:
    box = tuple(float(v) for v in text.split(','))
  except ValueError:
    box = ()
  if len(box) != 4:
    raise DataError(f'box {text!r} must be four numbers x0,y0,x1,y1 (pixels '
                    'of the support image), e.g. 10,20,200,180')
  return box


def box_mask(box, image_shape, where: str = 'box') -> np.ndarray:
  """Boolean mask filling `box` (x0, y0, x1, y1) inside an image."""
  h, w = image_shape[:2]
  x0, y0, x1, y1 = box
  if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
    raise DataError(
        f'{where} {",".join(f"{v:g}" for v in box)} does not fit the '
        f'{w}x{h} image: need 0 <= x0 < x1 <= {w} and 0 <= y0 < y1 <= {h}')
  mask = np.zeros((h, w), bool)
  mask[int(np.floor(y0)):int(np.ceil(y1)),
       int(np.floor(x0)):int(np.ceil(x1))] = True
  return mask


def check_support(image: np.ndarray, mask: np.ndarray, where: str) -> None:
  """A support annotation must fit its image and mark some, not all, pixels."""
  if mask.shape != image.shape[:2]:
    turned = (' (both are turned upright by their EXIF orientation: does '
              'one of them lack it?)' if mask.shape == image.shape[1::-1]
              else '')
    raise DataError(
        f'{where}: the mask is {mask.shape[1]}x{mask.shape[0]} but its image '
        f'is {image.shape[1]}x{image.shape[0]}{turned}; give the mask drawn '
        'on that image at its resolution')
  count = int(mask.sum())
  if count == 0:
    raise DataError(f'{where}: the mask has no foreground pixel; mark the '
                    'object with non-zero values (or pass the right '
                    '--class_id for a label PNG)')
  if count == mask.size:
    raise DataError(f'{where}: every pixel is foreground, so there is no '
                    'object to learn from; is the mask inverted? Mark only '
                    'the object (non-zero) on a zero background')


def read_query_masks(paths, queries, query_names, class_id=None) -> list:
  """The ground-truth masks of the queries (0/1 uint8), one per query in
  order, each of its query's size; the predict command and the app read
  them alike."""
  if len(paths) != len(queries):
    raise DataError(f'{len(queries)} queries but {len(paths)} query masks: '
                    'give one per query, in the same order, or none')
  truths = []
  for path, image, name in zip(paths, queries, query_names):
    truth = read_mask(path, class_id)
    if truth.shape != image.shape[:2]:
      raise DataError(f'{path} is {truth.shape[1]}x{truth.shape[0]} but its '
                      f'query {name} is {image.shape[1]}x{image.shape[0]}: '
                      'give the mask of that query')
    truths.append(truth.astype(np.uint8))
  return truths


def write_mask(path: str, mask: np.ndarray) -> None:
  """A 0/255 greyscale PNG."""
  Image.fromarray(mask.astype(np.uint8) * 255).save(path)
