# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Shared test set-up: quiet TF, deterministic torch on the CPU."""

import os
import shutil
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
# The commands' compilation cache (smcp_jax/cli/compile_cache.py) goes to a
# folder of the test run's, not the user's ~/.cache.
os.environ.setdefault('SMCP_JAX_CACHE_DIR',
                      tempfile.mkdtemp(prefix='smcp-test-xla-'))

import pytest  # pylint: disable=g-import-not-at-top


@pytest.fixture(autouse=True, scope='session')
def _torch_threads():
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError:
    return
  torch.manual_seed(0)
  torch.set_num_threads(os.cpu_count() or 1)


@pytest.fixture(scope='session')
def toy_root(tmp_path_factory):
  """A small generated toy data set (160 train + 60 val images, 64x64)."""
  from smcp_jax.toy import generate  # pylint: disable=g-import-not-at-top
  out = tmp_path_factory.mktemp('toy')
  return generate.generate(str(out), num_train=160, num_val=60, size=64,
                           workers=2)


@pytest.fixture()
def coco_root(tmp_path):
  from tests.helpers import coco_files  # pylint: disable=g-import-not-at-top
  return coco_files.write_coco(tmp_path / 'coco')


@pytest.fixture()
def broken_root(toy_root, tmp_path):
  root = str(tmp_path / 'VOC2012')
  shutil.copytree(toy_root, root)
  return root
