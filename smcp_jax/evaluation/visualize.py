# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Pictures of one-shot segmentation, laid out like the paper's Fig. 5.

Masks are drawn as a translucent fill with an outline on a dark halo, so
they read on any object colour; every panel carries a legend.
"""

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from scipy import ndimage

from smcp_jax.data.pipeline import transforms
from smcp_jax.evaluation import metrics

SUPPORT_COLOUR = (0, 225, 255)  # cyan: the support annotation
PREDICTION_COLOUR = (255, 0, 200)  # magenta: the predicted query mask
TRUTH_COLOUR = (255, 210, 0)  # amber: the query's ground truth
LEGEND = (('support annotation', SUPPORT_COLOUR),
          ('prediction', PREDICTION_COLOUR),
          ('ground truth', TRUTH_COLOUR))
# One colour per class of a several-class prediction (label j + 1 takes
# CLASS_COLOURS[j % len]): distinct on screen and in the palette PNG.
CLASS_COLOURS = ((255, 0, 200), (0, 200, 80), (255, 140, 0), (40, 110, 255),
                 (230, 30, 30), (150, 60, 255), (0, 200, 200),
                 (200, 200, 0), (140, 80, 20), (255, 120, 170))
TILE = 224  # pixels per tile side, so small images stay readable
CAPTION = 22
COLUMNS = 6  # tiles per row before a panel wraps (1344 px)
FONT = ImageFont.load_default(size=14)


def denormalize(image: np.ndarray) -> np.ndarray:
  """ImageNet-normalised float image -> uint8 RGB."""
  rgb = image * transforms.IMAGENET_STD + transforms.IMAGENET_MEAN
  return (np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def overlay(image: np.ndarray, mask: np.ndarray, colour,
            thickness: int | None = None) -> np.ndarray:
  """`colour` at 30% over the mask, and its outline on a black halo."""
  mask = np.asarray(mask, bool)
  if thickness is None:
    thickness = max(1, round(min(mask.shape) / 150))
  out = image.astype(np.float32)
  out[mask] = 0.7 * out[mask] + 0.3 * np.array(colour, np.float32)
  edge = mask & ~ndimage.binary_erosion(mask, iterations=thickness,
                                        border_value=1)
  halo = ndimage.binary_dilation(edge, iterations=max(1, thickness // 2))
  out[halo & ~edge] = 0
  out[edge] = colour
  return out.astype(np.uint8)


def class_colour(label: int) -> tuple[int, int, int]:
  """The colour of label `label` (1, 2, ...) of a several-class map."""
  return CLASS_COLOURS[(label - 1) % len(CLASS_COLOURS)]


def label_overlay(image: np.ndarray, labels: np.ndarray,
                  thickness: int | None = None) -> np.ndarray:
  """Each label's pixels (0 = background, left as is) in its class colour."""
  out = image
  for label in np.unique(labels):
    if label:
      out = overlay(out, labels == label, class_colour(int(label)), thickness)
  return out


def palette_image(labels: np.ndarray) -> Image.Image:
  """A label map as a palette PNG: the pixel values are the labels (0
  background, black), the palette shows them in their class colours."""
  image = Image.fromarray(labels.astype(np.uint8))  # 'L'; 'P' once paletted
  colours = [(0, 0, 0)] + [class_colour(label) for label in range(1, 256)]
  image.putpalette([channel for colour in colours for channel in colour])
  return image


def heat_map(probability: np.ndarray) -> np.ndarray:
  """A probability map in [0, 1] as uint8 RGB: dark blue (0) through
  magenta to yellow (1)."""
  p = np.clip(probability, 0.0, 1.0)[..., None]
  low, mid, high = (np.array(c, np.float32) for c in (
      (20, 20, 90), (230, 40, 140), (255, 235, 60)))
  rgb = np.where(p < 0.5, low + (mid - low) * 2 * p,
                 mid + (high - mid) * (2 * p - 1))
  return rgb.astype(np.uint8)


def _fit(size: tuple[int, int]) -> tuple[int, int]:
  """(width, height) of an (h, w) image scaled to fit a tile, aspect kept."""
  h, w = size
  scale = TILE / max(h, w)
  return max(1, round(w * scale)), max(1, round(h * scale))


def tile(image: np.ndarray, mask=None, colour=None,
         caption: str = '', labels=None) -> Image.Image:
  """An image (with its mask, or its label map in class colours, drawn at
  tile resolution) and a caption."""
  size = _fit(image.shape[:2])
  small = np.asarray(Image.fromarray(image).resize(size, Image.BILINEAR))
  if mask is not None:
    small_mask = np.asarray(Image.fromarray(np.asarray(mask, np.uint8) * 255)
                            .resize(size, Image.NEAREST)) > 0
    small = overlay(small, small_mask, colour, thickness=2)
  if labels is not None:
    small_labels = np.asarray(Image.fromarray(labels.astype(np.uint8))
                              .resize(size, Image.NEAREST))
    small = label_overlay(small, small_labels, thickness=2)
  out = Image.new('RGB', (TILE, TILE + CAPTION), 'white')
  out.paste(Image.fromarray(small), ((TILE - size[0]) // 2,
                                     CAPTION + (TILE - size[1]) // 2))
  ImageDraw.Draw(out).text((4, 3), caption, fill='black', font=FONT)
  return out


def _legend(width: int, entries) -> Image.Image:
  strip = Image.new('RGB', (width, CAPTION + 4), 'white')
  draw = ImageDraw.Draw(strip)
  x = 6
  for label, colour in entries:
    draw.rectangle((x, 5, x + 14, 19), fill=colour, outline='black')
    draw.text((x + 20, 4), label, fill='black', font=FONT)
    x += 32 + round(draw.textlength(label, font=FONT))
  return strip


def grid(rows: list[list[Image.Image | None]], title: str = '',
         legend_entries=LEGEND) -> Image.Image:
  """Tiles in rows (None leaves a gap), a title above, a legend below."""
  columns = max(len(row) for row in rows)
  width = max(TILE * columns, 480)
  legend = _legend(width, legend_entries)
  panel = Image.new('RGB', (width, CAPTION + len(rows) * (TILE + CAPTION)
                            + legend.height), 'white')
  ImageDraw.Draw(panel).text((4, 3), title, fill='black', font=FONT)
  for r, row in enumerate(rows):
    for c, item in enumerate(row):
      if item is not None:
        panel.paste(item, (c * TILE, CAPTION + r * (TILE + CAPTION)))
  panel.paste(legend, (0, panel.height - legend.height))
  return panel


def _wrapped(tiles: list, columns: int) -> list[list]:
  return [tiles[start:start + columns]
          for start in range(0, len(tiles), columns)] or [[]]


def _short(text: str, limit: int = 28) -> str:
  """A caption that fits a tile."""
  return text if len(text) <= limit else text[:limit - 3] + '...'


def _query_blocks(query_images, query_captions, columns: int):
  """Per `columns` queries: (their indices, the row of their tiles)."""
  captions = query_captions or [f'query {i + 1}'
                                for i in range(len(query_images))]
  for start in range(0, len(query_images), columns):
    shown = range(start, min(start + columns, len(query_images)))
    yield shown, [tile(query_images[i], caption=_short(captions[i]))
                  for i in shown]


def episode_panel(support_images, support_masks, query_images, predictions,
                  truths=None, title: str = '',
                  support_caption: str = 'support', query_captions=None,
                  columns: int = COLUMNS) -> Image.Image:
  """Fig. 5's layout: rows of supports with their annotations, then, for
  every `columns` queries, a row of queries, a row of predictions and, when
  given, a row of ground truths (0/1 labels, 255 ignored) whose captions
  give the IoU.

  Images are uint8 RGB of any size; masks boolean of their image's size;
  `query_captions` (e.g. file names) label the query columns.
  """
  rows = _wrapped(
      [tile(image, mask, SUPPORT_COLOUR, f'{support_caption} {i + 1}')
       for i, (image, mask) in enumerate(zip(support_images, support_masks))],
      columns)
  for shown, query_row in _query_blocks(query_images, query_captions,
                                        columns):
    rows.append(query_row)
    rows.append([tile(query_images[i], predictions[i], PREDICTION_COLOUR,
                      f'prediction {i + 1}') for i in shown])
    if truths is not None:
      rows.append([
          tile(query_images[i], truths[i] == 1, TRUTH_COLOUR,
               f'truth {i + 1}: IoU '
               f'{metrics.iou_percent(predictions[i], truths[i]):.1f}%')
          for i in shown])
  return grid(rows, title, LEGEND if truths is not None else LEGEND[:2])


def classes_panel(classes, query_images, labels, title: str = '',
                  query_captions=None,
                  columns: int = COLUMNS) -> Image.Image:
  """Several classes segmented at once: the supports, each annotated in
  its class's colour, then rows of queries and of their label maps; the
  legend names the classes.

  `classes` is [(name, support images, support masks)] in label order;
  `labels` the queries' (H, W) maps, 0 background, j + 1 class j.
  """
  rows = _wrapped(
      [tile(image, mask, class_colour(j + 1), _short(f'{name} ({i + 1})'))
       for j, (name, images, masks) in enumerate(classes)
       for i, (image, mask) in enumerate(zip(images, masks))], columns)
  for shown, query_row in _query_blocks(query_images, query_captions,
                                        columns):
    rows.append(query_row)
    rows.append([tile(query_images[i], labels=labels[i],
                      caption=f'prediction {i + 1}') for i in shown])
  return grid(rows, title, [(name, class_colour(j + 1))
                            for j, (name, _, _) in enumerate(classes)])
