# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A generated toy data set in PASCAL VOC layout: the embedded default
(`python -m smcp_jax.toy --out data/toy`).

Twenty classes in four folds of five (PASCAL-5i numbering). Each class is a
shape (ellipse, rectangle, triangle, cross, ring) drawn with an appearance
(a colour and a texture), combined as classes.py says, so that one-shot
transfer is possible but not trivial. 1-3 objects per image on varied
backgrounds; labels are palette PNGs with a 255 band on object boundaries
like VOC.
The same PASCAL reader reads it, so the demo exercises the real code path.
"""

import concurrent.futures
import multiprocessing
import os

import numpy as np
from PIL import Image
from PIL import ImageDraw
from scipy import ndimage
import tqdm

from smcp_jax.data import labels
from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import voc_format
from smcp_jax.toy import classes as toy_classes


def _shape_mask(shape: str, size: int, rng: np.random.Generator) -> np.ndarray:
  """A boolean mask of one object, placed at random."""
  w = int(rng.integers(size // 5, size // 2))
  h = int(np.clip(w * rng.uniform(0.7, 1.4), size // 6, size // 2))
  x0, y0 = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
  x1, y1 = x0 + w, y0 + h
  canvas = Image.new('L', (size, size), 0)
  draw = ImageDraw.Draw(canvas)
  if shape == 'ellipse':
    draw.ellipse([x0, y0, x1, y1], fill=1)
  elif shape == 'rectangle':
    draw.rectangle([x0, y0, x1, y1], fill=1)
  elif shape == 'triangle':
    draw.polygon([((x0 + x1) // 2, y0), (x0, y1), (x1, y1)], fill=1)
  elif shape == 'cross':
    tw, th = max(w // 3, 2), max(h // 3, 2)
    draw.rectangle([x0 + (w - tw) // 2, y0, x0 + (w + tw) // 2, y1], fill=1)
    draw.rectangle([x0, y0 + (h - th) // 2, x1, y0 + (h + th) // 2], fill=1)
  else:  # ring
    draw.ellipse([x0, y0, x1, y1], fill=1)
    draw.ellipse([x0 + w // 4, y0 + h // 4, x1 - w // 4, y1 - h // 4], fill=0)
  return np.asarray(canvas, bool)


def _texture(appearance: int, size: int, rng: np.random.Generator):
  """An RGB float image of one appearance with jittered colour and phase."""
  colour, kind = toy_classes.APPEARANCES[appearance]
  colour = np.clip(np.array(colour) + rng.normal(0, 12, 3), 0, 255)
  dark = colour * 0.45
  yy, xx = np.mgrid[:size, :size]
  period = int(rng.integers(6, 10))
  phase = int(rng.integers(0, period))
  if kind == 'solid':
    second = np.zeros((size, size), bool)
  elif kind == 'stripes':
    second = ((yy + phase) // (period // 2)) % 2 == 1
  elif kind == 'checker':
    second = (((yy + phase) // (period // 2)) + (xx // (period // 2))) % 2 == 1
  else:  # dots
    second = (((yy + phase) % period - period / 2) ** 2
              + ((xx + phase) % period - period / 2) ** 2) < (period / 3.5) ** 2
  image = np.where(second[..., None], dark, colour)
  return image + rng.normal(0, 6, (size, size, 3))


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
  """A smooth random gradient between two muted colours, plus noise."""
  a, b = rng.uniform(60, 200, 3), rng.uniform(60, 200, 3)
  angle = rng.uniform(0, np.pi)
  yy, xx = np.mgrid[:size, :size] / size
  t = (np.cos(angle) * xx + np.sin(angle) * yy)
  t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
  image = a * (1 - t[..., None]) + b * t[..., None]
  return image + rng.normal(0, 10, (size, size, 3))


def make_image(index: int, seed: int, size: int = 128):
  """(RGB uint8 image, semantic label, instance label) of image `index`.

  The first object's class cycles through all classes so that every class
  has many images; 0-2 more objects get random classes.
  """
  rng = np.random.default_rng([seed, index])
  image = _background(size, rng)
  semantic = np.zeros((size, size), np.uint8)
  instances = np.zeros((size, size), np.uint8)
  classes = [index % toy_classes.NUM_CLASSES + 1] + list(
      rng.integers(1, toy_classes.NUM_CLASSES + 1, int(rng.integers(0, 3))))
  for instance_id, class_id in enumerate(classes, start=1):
    shape, appearance = toy_classes.class_design(int(class_id))
    mask = _shape_mask(shape, size, rng)
    image[mask] = _texture(appearance, size, rng)[mask]
    semantic[mask] = class_id
    instances[mask] = instance_id
  # A 255 band (2 px) on every boundary between regions, as in VOC.
  edges = np.zeros((size, size), bool)
  for values in (semantic, instances):
    grown = ndimage.grey_dilation(values, size=3)
    shrunk = ndimage.grey_erosion(values, size=3)
    edges |= grown != shrunk
  semantic[edges] = labels.IGNORE_LABEL
  instances[edges] = labels.IGNORE_LABEL
  return np.clip(image, 0, 255).astype(np.uint8), semantic, instances


def _write_one(args):
  root, index, seed, size, is_val = args
  image_id = f'toy_{index:06d}'
  image, semantic, instances = make_image(index, seed, size)
  Image.fromarray(image).save(
      os.path.join(root, voc_format.IMAGE_DIR, image_id + '.jpg'), quality=92)
  voc_format.write_label_png(
      os.path.join(root, voc_format.LABEL_DIR, image_id + '.png'), semantic)
  voc_format.write_label_png(
      os.path.join(root, voc_format.INSTANCE_DIR, image_id + '.png'),
      instances)
  if is_val:
    voc_format.write_label_png(
        os.path.join(root, voc_format.VAL_LABEL_DIR, image_id + '.png'),
        semantic)
  return image_id


def _worker_context() -> multiprocessing.context.BaseContext:
  """Workers forked from a fork server that has imported TF (through
  voc_format): a fork from the caller itself is unsafe once it runs threads
  (JAX, a TFDS build), and a fresh process per worker would import TF each
  time. Not this module itself: under `python -m smcp_jax.toy` each
  worker runs it again as its main, and runpy warns when it is already
  imported."""
  context = multiprocessing.get_context('forkserver')
  context.set_forkserver_preload(['smcp_jax.data.readers.voc_format'])
  return context


def generate(out: str, *, num_train: int = 2400, num_val: int = 600,
             size: int = 128, seed: int = 0, workers: int | None = None) -> str:
  """Writes the data set under `out`/VOCdevkit/VOC2012; returns that root."""
  root = os.path.join(out, 'VOCdevkit', 'VOC2012')
  for sub in (voc_format.IMAGE_DIR, voc_format.LABEL_DIR,
              voc_format.VAL_LABEL_DIR, voc_format.INSTANCE_DIR,
              voc_format.LIST_DIR):
    tf.io.gfile.makedirs(os.path.join(root, sub))
  total = num_train + num_val
  jobs = [(root, i, seed, size, i >= num_train) for i in range(total)]
  with concurrent.futures.ProcessPoolExecutor(
      workers, mp_context=_worker_context()) as pool:
    ids = list(tqdm.tqdm(pool.map(_write_one, jobs, chunksize=8),
                         total=total, desc='toy images', unit='img'))
  lists = os.path.join(root, voc_format.LIST_DIR)
  voc_format.write_list(os.path.join(lists, 'trainaug.txt'), ids[:num_train])
  voc_format.write_list(os.path.join(lists, 'train.txt'), ids[:num_train])
  voc_format.write_list(os.path.join(lists, 'val.txt'), ids[num_train:])
  return root
