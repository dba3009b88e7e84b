# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy's "ImageNet": a generated pretraining set disjoint from the toy.

The paper fine-tunes an ImageNet-pretrained encoder; this set plays that
part for the toy. Its objects use shapes, colours and textures the toy's 20
classes never use (no toy shape, no toy colour, no toy texture, so no toy
shape x appearance combination), on blurred-noise backgrounds unlike the
toy's gradients. It shares only primitives with the toy (edges, colour,
periodic texture), as ImageNet does with PASCAL. Each pixel is labelled
with its object's shape, colour and texture (0 = background), so an
encoder trained on it must tell all three apart locally.
"""

import numpy as np
from PIL import Image
from PIL import ImageDraw
from scipy import ndimage
import tqdm

from smcp_jax.data import labels

SHAPES = ('star', 'hexagon', 'diamond', 'crescent', 'arrow', 'lshape',
          'semicircle', 'trapezoid')
COLOURS = {'purple': (140, 50, 190), 'orange': (245, 125, 20),
           'cyan': (20, 200, 210), 'pink': (245, 130, 190),
           'brown': (125, 75, 35), 'white': (240, 240, 235)}
TEXTURES = ('diagonal', 'grid', 'speckle', 'waves')
# Outputs of each per-pixel head: background + the factor's values.
HEAD_SIZES = {'shape': len(SHAPES) + 1, 'colour': len(COLOURS) + 1,
              'texture': len(TEXTURES) + 1}


def _polygon(points, box):
  """Unit-square points -> pixel coordinates inside box (x0, y0, x1, y1)."""
  x0, y0, x1, y1 = box
  return [(x0 + px * (x1 - x0), y0 + py * (y1 - y0)) for px, py in points]


_POLYGONS = {
    'star': [(0.5 + 0.5 * r * np.sin(a), 0.5 - 0.5 * r * np.cos(a))
             for i in range(10)
             for a, r in [(i * np.pi / 5, 1.0 if i % 2 == 0 else 0.42)]],
    'hexagon': [(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a))
                for a in np.arange(6) * np.pi / 3],
    'diamond': [(0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5)],
    'arrow': [(0, 0.35), (0.55, 0.35), (0.55, 0), (1, 0.5), (0.55, 1),
              (0.55, 0.65), (0, 0.65)],
    'lshape': [(0, 0), (0.4, 0), (0.4, 0.6), (1, 0.6), (1, 1), (0, 1)],
    'trapezoid': [(0.25, 0), (0.75, 0), (1, 1), (0, 1)],
}


def shape_mask(shape: str, size: int, rng: np.random.Generator):
  w = int(rng.integers(size // 5, size // 2))
  h = int(np.clip(w * rng.uniform(0.7, 1.4), size // 6, size // 2))
  x0, y0 = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
  box = (x0, y0, x0 + w, y0 + h)
  canvas = Image.new('L', (size, size), 0)
  draw = ImageDraw.Draw(canvas)
  if shape == 'crescent':
    draw.ellipse(box, fill=1)
    draw.ellipse((x0 + w // 3, y0 - h // 8, x0 + w + w // 3, y0 + h - h // 8),
                 fill=0)
  elif shape == 'semicircle':
    draw.pieslice((x0, y0, x0 + w, y0 + 2 * h), 180, 360, fill=1)
  else:
    draw.polygon(_polygon(_POLYGONS[shape], box), fill=1)
  mask = np.asarray(canvas, bool)
  if rng.random() < 0.5:  # mirrored, so orientation is no cue
    mask = mask[:, ::-1] if rng.random() < 0.5 else mask[::-1]
  return mask


def textured(colour: str, texture: str, size: int, rng: np.random.Generator):
  base = np.clip(np.array(COLOURS[colour]) + rng.normal(0, 12, 3), 0, 255)
  dark = base * 0.5
  yy, xx = np.mgrid[:size, :size]
  period = int(rng.integers(5, 9))
  phase = int(rng.integers(0, period))
  if texture == 'diagonal':
    second = ((xx + yy + phase) // max(period // 2, 1)) % 2 == 1
  elif texture == 'grid':
    second = ((xx + phase) % period == 0) | ((yy + phase) % period == 0)
  elif texture == 'speckle':
    second = rng.random((size, size)) < 0.3
  else:  # waves
    second = np.sin((yy + 2.5 * np.sin(xx / period * 2)) / period * 2 * np.pi
                    + phase) > 0.3
  image = np.where(second[..., None], dark, base)
  return image + rng.normal(0, 6, (size, size, 3))


def background(size: int, rng: np.random.Generator) -> np.ndarray:
  """Blurred random noise in muted colours: neither the toy's gradients nor
  any object's texture."""
  field = ndimage.gaussian_filter(rng.normal(0, 1, (size, size, 3)),
                                  sigma=(size / 10, size / 10, 0))
  field /= max(np.abs(field).max(), 1e-6)
  return (rng.uniform(80, 170, 3) + 50 * field
          + rng.normal(0, 8, (size, size, 3)))


def make_image(index: int, seed: int, size: int):
  """(RGB uint8 image, (H, W, 3) uint8 labels: shape, colour, texture).

  1-3 objects; labels are 0 on background, 1.. for the factor's value and
  labels.IGNORE_LABEL on a 1-px band on object boundaries.
  """
  rng = np.random.default_rng([seed, index])
  image = background(size, rng)
  factors = np.zeros((size, size, 3), np.uint8)
  owner = np.zeros((size, size), np.uint8)
  for instance in range(1, int(rng.integers(1, 4)) + 1):
    shape = int(rng.integers(len(SHAPES)))
    colour = int(rng.integers(len(COLOURS)))
    texture = int(rng.integers(len(TEXTURES)))
    mask = shape_mask(SHAPES[shape], size, rng)
    image[mask] = textured(list(COLOURS)[colour], TEXTURES[texture], size,
                           rng)[mask]
    factors[mask] = (shape + 1, colour + 1, texture + 1)
    owner[mask] = instance
  edges = ndimage.grey_dilation(owner, size=2) != ndimage.grey_erosion(
      owner, size=2)
  factors[edges] = labels.IGNORE_LABEL
  return np.clip(image, 0, 255).astype(np.uint8), factors


def make_set(num_images: int, *, seed: int, size: int):
  """(images (N, S, S, 3) uint8, labels (N, S, S, 3) uint8), in memory."""
  pairs = [make_image(i, seed, size) for i in tqdm.trange(
      num_images, desc='pretraining images', unit='img', leave=False)]
  return (np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]))
