# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""FSS-1000: its folder layout and class lists, HSNet's episodes on it,
the toy set written in that layout, and the errors of a broken layout."""

import os
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from configs import toy as toy_config
from smcp_jax import errors
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.data.readers import fss1000
from smcp_jax.errors import DataError
from smcp_jax.evaluation import evaluator
from smcp_jax.toy import classes as toy_classes
from smcp_jax.toy import fss_layout
from tests.helpers import training_data

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _layout(tmp_path, classes, per_class=2):
  """A hand-made FSS-1000 folder: {split: [class names]}."""
  root, splits = tmp_path / 'FSS-1000', tmp_path / 'splits'
  splits.mkdir()
  for split, names in classes.items():
    (splits / f'{split}.txt').write_text(''.join(n + '\n' for n in names))
    for name in names:
      (root / name).mkdir(parents=True)
      for n in range(1, per_class + 1):
        Image.new('RGB', (6, 4), (n * 40, 0, 0)).save(root / name / f'{n}.jpg')
        mask = np.zeros((4, 6), np.uint8)
        mask[1, 1:4] = (127, 128, 255)  # threshold at 128, as HSNet
        Image.fromarray(mask).save(root / name / f'{n}.png')
  return str(root), str(splits)


def test_the_layout_reads_as_hsnet_orders_it(tmp_path):
  root, splits = _layout(tmp_path, {'trn': ['zebra', 'apple'],
                                    'val': ['kiwi'], 'test': ['moth', 'bee']})
  source = fss1000.FSS1000(root, splits)
  # Ids: trn, val, test, each sorted, from 1.
  assert source.class_ids == {'apple': 1, 'zebra': 2, 'kiwi': 3, 'bee': 4,
                              'moth': 5}
  assert source.split_class_ids('test') == (4, 5)
  assert source.image_ids('test') == ['bee/1', 'bee/2', 'moth/1', 'moth/2']
  label = source.load_label('bee/1')
  assert label.dtype == np.uint8 and label.shape == (4, 6)
  assert label[1].tolist() == [0, 0, 1, 1, 0, 0] and label.sum() == 2
  assert source.label_value(5) == 1
  assert source.class_index('test') == {4: ['bee/1', 'bee/2'],
                                        5: ['moth/1', 'moth/2']}
  assert source.class_index('test', min_area=3) == {4: [], 5: []}


def test_a_broken_layout_names_the_fix(tmp_path):
  root, splits = _layout(tmp_path, {'trn': ['a'], 'val': ['b'],
                                    'test': ['c']})
  with pytest.raises(DataError, match='config.data.split_dir'):
    fss1000.FSS1000(root, '')
  os.remove(os.path.join(splits, 'val.txt'))
  with pytest.raises(DataError, match='missing class list .*val.txt'):
    fss1000.FSS1000(root, splits)
  (tmp_path / 'splits' / 'val.txt').write_text('b\nnowhere\n')
  source = fss1000.FSS1000(root, splits)
  with pytest.raises(DataError, match="class 'nowhere' .* has no folder"):
    source.image_ids('val')


def _fss_config(toy_root, tmp_path, **test):
  out = str(tmp_path / 'toy_fss')
  root = fss_layout.write_fss_layout(toy_root, out, per_class=4)
  config = toy_config.get_config()
  config.data.dataset = 'fss1000'
  config.data.root = root
  config.data.split_dir = os.path.join(out, 'splits')
  config.data.image_size = 33
  config.model.width = 0.0625
  config.model.num_mcl_classes = 16
  config.train.init_from = ''
  config.test.protocol = 'hsnet'
  config.test.episodes = 0
  for key, value in test.items():
    setattr(config.test, key, value)
  return config


def test_hsnet_episodes_on_the_toy_in_fss_layout(toy_root, tmp_path):
  config = resolution.resolve(_fss_config(toy_root, tmp_path))
  assert (config.test.split, config.test.episodes, config.test.image_size,
          config.test.query_order) == ('test', 2400, 400, 'pairs')
  config = resolution.resolve(_fss_config(toy_root, tmp_path, episodes=30,
                                          image_size=33))
  _, novel = builder.class_split(config.data)
  assert len(novel) == 5
  episodes = evaluator.protocol_episodes(config.data, config.test)[0]
  source = builder.make_source(config.data)
  images = source.image_ids('test')
  assert len(images) == 20
  # Every test image is the query once, in order, then again.
  assert [e.query_id for e in episodes] == [images[n % 20] for n in range(30)]
  names = {i: n for n, i in source.class_ids.items()}
  for e in episodes:
    assert e.query_id.split('/')[0] == names[e.class_id]
    assert e.support_ids[0].split('/')[0] == names[e.class_id]
    assert e.support_ids[0] != e.query_id
  arrays = builder.test_loader(config.data, config.test)(episodes[0])
  mask = source.load_label(episodes[0].query_id)
  assert mask.any()
  assert arrays['query_label'].max() == 1  # the class's pixels, from 1
  assert int(arrays['class_id']) == episodes[0].class_id


def test_toy_fss_masks_are_the_class_pixels(toy_root, tmp_path):
  out = str(tmp_path / 'toy_fss')
  root = fss_layout.write_fss_layout(toy_root, out, per_class=2)
  folder = fss_layout.class_folder(17)
  assert folder == toy_classes.class_name(17).replace(' ', '_')
  assert open(os.path.join(out, 'splits', 'test.txt')).read().split() == [
      fss_layout.class_folder(c) for c in range(16, 21)]
  mask = np.asarray(Image.open(os.path.join(root, folder, '1.png')))
  assert set(np.unique(mask)) == {0, 255}


def test_fss_needs_the_mcl_size_and_does_not_train(toy_root, tmp_path):
  config = _fss_config(toy_root, tmp_path)
  config.model.num_mcl_classes = None
  with pytest.raises(errors.ConfigError, match='num_mcl_classes'):
    resolution.resolve(config)
  config = _fss_config(toy_root, tmp_path)
  config.test.protocol = 'pfenet'
  with pytest.raises(errors.ConfigError, match="hsnet's"):
    resolution.resolve(config)
  with pytest.raises(DataError, match='training on FSS-1000 is not '
                     'supported'):
    training_data.train_sampler(resolution.resolve(_fss_config(toy_root,
                                                               tmp_path / 'b')))


def test_the_toy_cli_writes_the_fss_layout(tmp_path):
  proc = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.toy', '--out', str(tmp_path),
       '--num-train', '60', '--num-val', '20', '--size', '32', '--layout',
       'fss1000'], cwd=REPO, capture_output=True, text=True, timeout=300,
      check=False)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert 'FSS-1000 layout' in proc.stdout
  assert len(os.listdir(tmp_path / 'FSS-1000')) == 20


def test_check_scans_the_fss_test_classes(toy_root, tmp_path):
  config = _fss_config(toy_root, tmp_path)
  command = [sys.executable, '-m', 'smcp_jax.check_data', '--config',
             'configs/toy.py', '--config.data.dataset=fss1000',
             f'--config.data.root={config.data.root}',
             f'--config.data.split_dir={config.data.split_dir}',
             '--config.model.num_mcl_classes=16',
             '--config.test.protocol=hsnet']
  proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                        timeout=300, check=False)
  assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
  assert 'test: 20 images' in proc.stdout and 'no problems found' in (
      proc.stdout)
  os.remove(os.path.join(config.data.root, fss_layout.class_folder(17),
                         '2.png'))
  proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                        timeout=300, check=False)
  assert proc.returncode == 1 and 'missing' in proc.stdout


def test_an_explicit_episode_count_says_it_cuts_every_image_once_short(
    toy_root, tmp_path):
  """Issue 26, item 18: under configs/toy.py its 300 episodes silently
  replaced HSNet's "every image once" on FSS-1000."""
  short = resolution.resolve(_fss_config(toy_root, tmp_path, episodes=6))
  note = evaluator.cut_short_note(short.data, short.test)
  assert note == ('note: config.test.episodes=6 cuts the hsnet protocol '
                  'short: its rule is every one of the 20 test images as the '
                  'query once (--config.test.episodes=0 evaluates them all)')
  whole = resolution.resolve(_fss_config(toy_root, tmp_path / 'b'))
  assert evaluator.cut_short_note(whole.data, whole.test) is None
  pascal = resolution.resolve(toy_config.get_config())  # a count, no rule
  assert evaluator.cut_short_note(pascal.data, pascal.test) is None
