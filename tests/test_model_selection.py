# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Honest model selection: validation on held-out images of the training
classes only, and train.keep_best exporting the best-validated params."""

import json

from flax import nnx
import numpy as np
import pytest

from smcp_jax import errors
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.evaluation import evaluator
from tests.helpers import runs
from tests.helpers import train_script
from tests.helpers import training_data


def _config(toy_root, tmp_path, **train):
  config = train_script.tiny_config(toy_root, 4)
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.data.val_fraction = 0.3  # the tests' set has 160 training images
  for key, value in train.items():
    setattr(config.train, key, value)
  return resolution.resolve(config)


def test_held_out_images_never_train(toy_root, tmp_path):
  config = _config(toy_root, tmp_path, val_every_steps=2, val_episodes=30)
  source = builder.make_source(config.data)
  ids = source.image_ids(config.data.train_split)
  kept = builder.held_out(config.data, ids)
  # A stable ~30% share, decided per id (the same on a reordered list).
  assert 0.2 * len(ids) < len(kept) < 0.4 * len(ids)
  assert builder.held_out(config.data, ids[::-1]) == kept
  trained = {path.decode().rsplit('/', 1)[-1].split('.')[0]
             for path in training_data.train_sampler(config).images.numpy()}
  assert trained and not trained & kept
  episodes, loader, classes = builder.validation(
      config.data, seed=config.seed, num_episodes=config.train.val_episodes)
  train_classes, novel = builder.class_split(config.data)
  assert len(episodes) == 30
  assert len(classes) >= 5
  assert set(classes) <= set(train_classes) and not set(classes) & set(novel)
  for e in episodes:
    assert e.class_id in classes
    assert set(e.support_ids + (e.query_id,)) <= kept
  assert loader.split == config.data.train_split
  assert not loader.options.original_label
  # Validation off: nothing is held out, training sees every image.
  off = _config(toy_root, tmp_path)
  trained_off = {path.decode().rsplit('/', 1)[-1].split('.')[0]
                 for path in training_data.train_sampler(off).images.numpy()}
  assert trained < trained_off and trained_off - trained <= kept


def test_keep_best_needs_validation(toy_root, tmp_path):
  with pytest.raises(errors.ConfigError, match='val_every_steps > 0'):
    _config(toy_root, tmp_path, keep_best=True)


def test_keep_best_exports_the_best_validated_step(toy_root, tmp_path):
  runs.train_toy(toy_root, tmp_path, 4, 1, 'data.val_fraction=0.3',
                 'train.val_every_steps=1', 'train.val_episodes=16',
                 'train.keep_best=True', 'train.lr=0.2')
  with open(tmp_path / 'metrics.jsonl') as f:
    rows = [json.loads(line) for line in f]
  scores = [(r['step'], r['val_miou']) for r in rows if 'val_miou' in r]
  assert [s for s, _ in scores] == [1, 2, 3, 4]
  best_step, best_miou = max(scores, key=lambda s: s[1])  # first of ties
  record = json.loads((tmp_path / 'best.json').read_text())
  assert record == {'step': best_step, 'val_miou': best_miou}
  # The exported params score exactly what the record says.
  config = _config(toy_root, tmp_path, val_every_steps=1, val_episodes=16)
  model, _ = model_io.load_model(config, str(tmp_path / 'best'))
  graphdef, params = nnx.split(model, nnx.Param)
  again = evaluator.validate(config, graphdef, params,
                             builder.validation(
                                 config.data, seed=config.seed,
                                 num_episodes=config.train.val_episodes))
  assert again['miou'] == pytest.approx(best_miou, abs=1e-4)
  source = params_io.load_params(str(tmp_path / 'best'))[1]['source']
  assert source.endswith(f'@{best_step}')
  assert np.isfinite(best_miou)
