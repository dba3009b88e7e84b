# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The commands' persistent compilation cache: used, and never fatal."""

import os
import subprocess
import sys

import numpy as np
from PIL import Image

from configs import toy
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.cli import compile_cache
from smcp_jax.config_lib import resolution

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_an_unwritable_folder_is_said_once_and_skipped(tmp_path, capsys):
  blocker = tmp_path / 'a_file'
  blocker.write_text('')
  import jax  # pylint: disable=g-import-not-at-top
  before = jax.config.jax_compilation_cache_dir
  assert compile_cache.enable(str(blocker / 'cache')) is None
  err = capsys.readouterr().err
  assert err.count('warning: the compilation cache') == 1, err
  assert 'running without it' in err
  assert jax.config.jax_compilation_cache_dir == before
  assert compile_cache.enable('off') is None


def _predict(checkpoint, image, cache, out):
  env = dict(os.environ, SMCP_JAX_CACHE_DIR=str(cache),
             TF_CPP_MIN_LOG_LEVEL='2')
  return subprocess.run(
      [sys.executable, '-m', 'smcp_jax.predict', '--checkpoint', checkpoint,
       '--support', image, '--support-box', '4,4,30,30', '--query', image,
       '--out', str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
      timeout=300)


def test_predict_fills_the_cache_and_survives_a_corrupt_one(tmp_path):
  config = toy.get_config()
  config.model.width = 0.0625
  config.train.init_from = ''  # a random network
  config.data.image_size = 33
  config = resolution.resolve(config)
  checkpoint = str(tmp_path / 'params')
  params_io.save_params(
      checkpoint, params_io.model_params(model_io.create_model(config)),
      model_config=config.model.to_dict(), scope='full', source='test',
      inference=model_io.inference_settings(config))
  image = str(tmp_path / 'image.png')
  rng = np.random.default_rng(0)
  Image.fromarray(rng.integers(0, 255, (48, 64, 3), np.uint8)).save(image)
  cache = tmp_path / 'cache'
  masks = []
  for run in range(3):
    if run == 2:  # damage every entry
      for name in os.listdir(cache):
        if os.path.isfile(cache / name):
          (cache / name).write_bytes(b'not a compiled program')
    result = _predict(checkpoint, image, cache, tmp_path / f'out{run}')
    assert result.returncode == 0, result.stderr[-3000:]
    masks.append(np.asarray(Image.open(tmp_path / f'out{run}' /
                                       'image_mask.png')))
    if run == 0:
      assert [n for n in os.listdir(cache) if n.endswith('-cache')]
  assert result.stderr.count('holds unreadable entries') == 1, result.stderr
  assert 'UserWarning' not in result.stderr
  for mask in masks[1:]:
    np.testing.assert_array_equal(mask, masks[0])
