# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Pictures of one-shot episodes, laid out like the paper's Fig. 5."""

import numpy as np
from PIL import Image
from PIL import ImageDraw

from smcp_jax.data import transforms

SUPPORT_COLOUR = (40, 200, 80)  # green: the annotated support mask
PREDICTION_COLOUR = (255, 140, 0)  # orange: the predicted query mask
TRUTH_COLOUR = (60, 140, 255)  # blue: the ground truth
TILE = 192  # pixels per tile side, so small images stay readable
CAPTION = 18


def denormalize(image: np.ndarray) -> np.ndarray:
  """ImageNet-normalised float image -> uint8 RGB."""
  rgb = image * transforms.IMAGENET_STD + transforms.IMAGENET_MEAN
  return (np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def overlay(image: np.ndarray, mask: np.ndarray, colour) -> np.ndarray:
  """Blends `colour` over the mask's pixels (0.55 opacity)."""
  out = image.astype(np.float32)
  out[mask] = 0.45 * out[mask] + 0.55 * np.array(colour, np.float32)
  return out.astype(np.uint8)


def _tile(image: np.ndarray, caption: str) -> Image.Image:
  tile = Image.new('RGB', (TILE, TILE + CAPTION), 'white')
  tile.paste(Image.fromarray(image).resize((TILE, TILE), Image.NEAREST),
             (0, CAPTION))
  ImageDraw.Draw(tile).text((4, 3), caption, fill='black')
  return tile


def episode_panel(support_image, support_mask, query_image, prediction,
                  truth=None, title: str = '') -> Image.Image:
  """One row: support + mask, query, prediction, and the ground truth.

  Images are uint8 RGB at the network size; masks boolean of the same size
  (the truth is optional; 255 void pixels are not drawn).
  """
  tiles = [_tile(overlay(support_image, support_mask, SUPPORT_COLOUR),
                 'support + mask'),
           _tile(query_image, 'query'),
           _tile(overlay(query_image, prediction, PREDICTION_COLOUR),
                 'prediction')]
  if truth is not None:
    tiles.append(_tile(overlay(query_image, truth == 1, TRUTH_COLOUR),
                       'ground truth'))
  panel = Image.new('RGB', (TILE * len(tiles), TILE + 2 * CAPTION), 'white')
  for i, tile in enumerate(tiles):
    panel.paste(tile, (i * TILE, CAPTION))
  ImageDraw.Draw(panel).text((4, 3), title, fill='black')
  return panel
