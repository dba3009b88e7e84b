# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy's pretrained encoder: its pretraining set holds no toy class, the
shipped weights are docs/results.md's, load into the demo's network, and the
pretraining is deterministic."""

import hashlib
import os
import pathlib
import re

import numpy as np

from smcp_jax.checkpoints import params_io
from smcp_jax.data import labels
from smcp_jax.toy import assets
from smcp_jax.toy import classes
from smcp_jax.toy import pretrain_set

RESULTS = (pathlib.Path(__file__).resolve().parent.parent / 'docs'
           / 'results.md')


def test_pretraining_design_shares_no_shape_colour_or_texture_with_the_toy():
  toy_textures = {texture for _, texture in classes.APPEARANCES}
  assert not set(pretrain_set.SHAPES) & set(classes.SHAPES)
  assert not set(pretrain_set.TEXTURES) & toy_textures
  assert not set(pretrain_set.COLOURS) & set(classes.COLOUR_NAMES)
  for rgb in pretrain_set.COLOURS.values():
    for toy_rgb, _ in classes.APPEARANCES:
      assert np.linalg.norm(np.subtract(rgb, toy_rgb)) > 70, (rgb, toy_rgb)


def test_no_pretraining_object_has_a_toy_colour():
  """Measured on the pixels: each object's light (base) colour is nearer its
  own labelled colour than any toy colour, and far from all toy colours."""
  colours = list(pretrain_set.COLOURS.values())
  toy_colours = np.array([rgb for rgb, _ in classes.APPEARANCES], float)
  images, factor_labels = pretrain_set.make_set(40, seed=3, size=65)
  objects = 0
  for image, label in zip(images, factor_labels):
    colour_label = label[..., 1]
    for value in set(np.unique(colour_label)) - {0, labels.IGNORE_LABEL}:
      pixels = image[colour_label == value].astype(float)
      light = pixels[pixels.sum(-1) >= np.median(pixels.sum(-1))]
      mean = light.mean(0)
      own = np.linalg.norm(mean - colours[value - 1])
      nearest_toy = np.linalg.norm(toy_colours - mean, axis=1).min()
      assert own < nearest_toy and nearest_toy > 45, (mean, own, nearest_toy)
      objects += 1
  assert objects >= 60


def test_labels_mark_objects_background_and_boundaries():
  image, factor_labels = pretrain_set.make_image(0, seed=0, size=65)
  assert image.shape == (65, 65, 3) and image.dtype == np.uint8
  for channel, size in enumerate(pretrain_set.HEAD_SIZES.values()):
    values = set(np.unique(factor_labels[..., channel]))
    assert {0, labels.IGNORE_LABEL} <= values
    assert values - {labels.IGNORE_LABEL} <= set(range(size))
  # The three factors label the same pixels as object / background / band.
  kinds = [np.select([f == 0, f == labels.IGNORE_LABEL], [0, 2], 1)
           for f in np.moveaxis(factor_labels, -1, 0)]
  assert np.array_equal(kinds[0], kinds[1]) and np.array_equal(
      kinds[0], kinds[2])


def _readme_sha256() -> str:
  match = re.search(r'params\.msgpack sha256 ([0-9a-f]{64})',
                    RESULTS.read_text())
  assert match, 'docs/results.md gives the shipped encoder\'s sha256'
  return match.group(1)


def test_shipped_encoder_matches_the_readme_and_loads_into_the_demo():
  from configs import toy  # pylint: disable=g-import-not-at-top
  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top
  path = os.path.join(assets.TOY_ENCODER, params_io.PARAMS_FILE)
  with open(path, 'rb') as f:
    assert hashlib.sha256(f.read()).hexdigest() == _readme_sha256()
  config = resolution.resolve(toy.get_config())
  assert config.train.init_from == assets.TOY_ENCODER
  params, meta = params_io.load_params(assets.TOY_ENCODER)
  assert meta['scope'] == 'backbone' and len(params) == 26  # 13 convs
  model = model_io.create_model(config)
  loaded = params_io.model_params(model)
  for name, value in params.items():
    np.testing.assert_array_equal(loaded[name], value)


def test_pretraining_is_deterministic_and_learns(tmp_path):
  from smcp_jax.toy import encoder as toy_encoder  # pylint: disable=g-import-not-at-top
  kwargs = dict(width=1 / 16, size=33, num_images=24, steps=12, batch=8,
                lr=3e-3, seed=5)
  first, curve = toy_encoder.pretrain(**kwargs)
  second, _ = toy_encoder.pretrain(**kwargs)
  assert sorted(first) == sorted(second)
  for name in first:
    np.testing.assert_array_equal(first[name], second[name])
  assert all(name.startswith('encoder/conv') for name in first)
  assert np.mean(curve[-3:]) < 0.8 * np.mean(curve[:3]), curve
  toy_encoder.main(['--out', str(tmp_path / 'enc'), '--width', '0.0625',
                    '--size', '33', '--num_images', '8', '--steps', '1',
                    '--batch', '4'])
  _, meta = params_io.load_params(str(tmp_path / 'enc'))
  assert meta == {'model': {'width': 0.0625}, 'scope': 'backbone',
                  'source': 'toy_pretrain', 'inference': {}}

