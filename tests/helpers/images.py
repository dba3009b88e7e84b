# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A user's images for the prediction tests: a noisy scene with a bright
rectangle and its mask, saved as files; a tiny random network's config and
its export."""

import numpy as np
from PIL import Image

from configs import toy
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution


def tiny_network_config(size: int):
  """The toy config with a 1/16-wide random network at `size` px."""
  config = toy.get_config()
  config.model.width = 0.0625
  config.train.init_from = ''  # a random network
  config.data.image_size = size
  return resolution.resolve(config)


def tiny_params(folder, size: int) -> str:
  """A random tiny_network_config(size) network exported to `folder` as
  training exports one (model.json with its inference settings)."""
  config = tiny_network_config(size)
  params_io.save_params(
      str(folder), params_io.model_params(model_io.create_model(config)),
      model_config=config.model.to_dict(), scope='full', source='test',
      inference=model_io.inference_settings(config))
  return str(folder)


def scene(h, w, seed, box=(0.25, 0.3, 0.7, 0.8)):
  """A noisy image with a bright rectangle, and the rectangle's mask."""
  rng = np.random.default_rng(seed)
  image = rng.integers(0, 120, (h, w, 3), dtype=np.uint8)
  mask = np.zeros((h, w), bool)
  y0, x0, y1, x1 = (int(box[0] * h), int(box[1] * w), int(box[2] * h),
                    int(box[3] * w))
  mask[y0:y1, x0:x1] = True
  image[mask] = (230, 60, 40)
  return image, mask


def save(path, array) -> str:
  Image.fromarray(array).save(path)
  return str(path)
