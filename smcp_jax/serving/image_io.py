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
from scipy import ndimage

from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.errors import DataError

# Modes whose pixel values are the label values themselves.
_LABEL_MODES = ('1', 'L', 'P', 'I', 'I;16', 'I;16B', 'I;16L')
_16_BIT_MODES = ('I', 'I;16', 'I;16B', 'I;16L')
# The ImageNet mean colour: zero after normalisation, so the network sees
# transparent pixels as nothing in particular.
NEUTRAL_RGB = (124, 116, 104)
# A mask whose values besides 0 and 255 are all class ids (COCO has 80), with
# 255 only as a thin border around them (VOC's void band: a few pixels), is
# a label map, where 255 is not foreground.
_MAX_CLASS_ID = 80
_THIN_BORDER = 4  # pixels from the band's middle to its edge, at most


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

  - `class_id` given: the pixels of that value (a VOC-style label map).
  - A cut-out with transparency (RGBA, LA, a palette with transparency):
    its alpha channel, above half.
  - A label map: class ids (1..80) beside 0 and 255, where 255 is a thin
    void border (or the file is a palette PNG): the class pixels.
  - Otherwise a mask, thresholded at half its range (JPEG noise and soft
    or "unsure" strokes below it are background): 0/1 and 0/255 masks read
    as they are.
  The last three say in one line which reading they used when it is not
  plain (an alpha channel, a label map, grey levels).
  """
  if image.mode in ('RGBA', 'LA', 'PA') or image.has_transparency_data:
    alpha = np.asarray(image.convert('RGBA'))[..., 3]
    if alpha.min() < 255:
      logging.warning('%s: its alpha channel is read as the mask', where)
      return alpha > 127
  palette = image.mode == 'P'
  if image.mode not in _LABEL_MODES:
    image = image.convert('L')
  values = np.asarray(image)
  if values.ndim != 2:
    raise DataError(f'{where}: a mask must have one channel, got shape '
                    f'{values.shape}')
  if class_id is not None:
    return values == class_id
  ids = np.unique(values)
  classes = ids[(ids != 0) & (ids != IGNORE_LABEL)]
  void = values == IGNORE_LABEL
  if classes.size and classes.max() <= _MAX_CLASS_ID and void.any() and (
      palette or ndimage.distance_transform_cdt(void).max() <= _THIN_BORDER):
    logging.warning('%s is read as a label map: its classes %s are the '
                    'object, 255 its void border (--class_id picks one '
                    'class)', where, classes.tolist())
    return (values > 0) & ~void
  low, high = int(ids.min()), int(ids.max())
  if ids.size > 2:
    logging.warning('%s has grey levels: the pixels above %s (half its '
                    'range) are the object', where, (low + high) / 2)
  return values > (low + high) / 2 if high > low else values > 0


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
