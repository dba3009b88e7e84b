# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The named test protocols: the values each sets (read off the other
codebases' test code by hand, docs/protocols.md), their episode rules on
the toy set, PFENet's padded resolution, the confidence interval, and
--protocols."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from configs import base as base_config
from configs import toy as toy_config
from smcp_jax import errors
from smcp_jax.config_lib import resolution as config_lib
from smcp_jax.config_lib import saved_runs
from smcp_jax.data import builder
from smcp_jax.data.pipeline import episodes as episodes_lib
from smcp_jax.data.pipeline import transforms
from smcp_jax.evaluation import evaluator
from smcp_jax.evaluation import metrics
from tests.helpers import data_configs

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ('split', 'label_resolution', 'episodes', 'runs', 'seeds',
          'image_size', 'resize', 'min_area', 'query_order', 'label_nearest',
          'scoring', 'upsample')


def _resolved_test(protocol, dataset='pascal', **test):
  config = base_config.get_config()
  config.data.dataset = dataset
  config.test.protocol = protocol
  for key, value in test.items():
    setattr(config.test, key, value)
  resolved = config_lib.resolve(config)
  return tuple(resolved.test[f] for f in FIELDS)


@pytest.mark.parametrize('protocol, dataset, expected', [
    ('authors', 'pascal', ('trainaug', 'resized', 1000, 5,
                           '1234,1235,1236,1237,1238', 417, 'squash', 0,
                           'random', 'pil', 'present', 'half_pixel')),
    ('pfenet', 'pascal', ('val', 'original', 5001, 1, '321', 473, 'pad', 2048,
                          'sequential', 'cv2', 'every', 'corners')),
    ('pfenet', 'coco', ('val2014', 'original', 20001, 1, '321', 473, 'pad',
                        2048, 'sequential', 'cv2', 'every', 'corners')),
    ('hsnet', 'pascal', ('val', 'resized', 1000, 1, '0', 400, 'squash', 0,
                         'pairs', 'torch', 'every', 'half_pixel')),
    ('hsnet', 'coco', ('val2014', 'resized', 1000, 1, '0', 400, 'squash', 0,
                       'random', 'torch', 'every', 'half_pixel')),
    ('bam', 'pascal', ('val', 'original', 1000, 5, '510,365,382,322,988', 473,
                       'pad', 2048, 'sequential', 'cv2', 'every', 'corners')),
    ('val', 'pascal', ('val', 'original', 5001, 1, '321', 473, 'pad', 2048,
                       'sequential', 'cv2', 'every', 'corners')),
])
def test_each_protocol_sets_its_codebases_values(protocol, dataset, expected):
  assert _resolved_test(protocol, dataset) == expected


def test_explicit_values_win_and_seeds_follow_runs():
  assert _resolved_test('bam', episodes=200)[2] == 200
  assert _resolved_test('bam', runs=2)[3:5] == (2, '510,365')
  assert _resolved_test('pfenet', runs=3)[3:5] == (3, '321,322,323')
  assert _resolved_test('hsnet', seeds='7,9')[3:5] == (2, '7,9')
  with pytest.raises(errors.ConfigError, match='has 5 seeds'):
    _resolved_test('bam', runs=6)
  with pytest.raises(errors.ConfigError, match='integers separated'):
    _resolved_test('authors', seeds='1,x')
  with pytest.raises(errors.ConfigError, match='has 2 seeds'):
    _resolved_test('authors', seeds='1,2', runs=3)


def test_the_toy_set_scales_sizes_and_areas():
  """129 / 417 of PASCAL's sizes: 473 -> 146, 400 -> 124, and the 2048-pixel
  filter by the square, 196 (2048 * 0.0957)."""
  config = toy_config.get_config()
  config.test.protocol = 'pfenet'
  test = config_lib.resolve(config).test
  assert (test.image_size, test.min_area) == (146, 196)
  config.test.protocol = 'hsnet'
  assert config_lib.resolve(config).test.image_size == 124


def test_a_saved_config_re_derives_under_another_protocol(tmp_path):
  config = base_config.get_config()
  config.test.protocol = 'bam'
  path = tmp_path / 'config.json'
  path.write_text(json.dumps(config_lib.resolve(config).to_dict()))
  saved = saved_runs.read_saved_config(str(path))
  saved.test.protocol = 'hsnet'
  assert tuple(config_lib.resolve(saved).test[f] for f in FIELDS) == (
      _resolved_test('hsnet'))


def test_sequential_episodes_follow_pfenets_rules(toy_root, tmp_path):
  config = data_configs.protocol_config(toy_root, tmp_path, 'pfenet',
                                        episodes=150, min_area=60)
  runs = evaluator.protocol_episodes(config.data, config.test)
  assert len(runs) == 1 and len(runs[0]) == 150
  pool = builder.test_class_index(config.data, config.test)  # >= 60 pixels
  held = builder.test_class_index(config.data, config.test, min_area=0)
  _, novel = builder.class_split(config.data)
  queries = sorted({i for c in novel for i in pool[c]})
  for n, episode in enumerate(runs[0]):
    # Each image with a novel class of >= 60 pixels is the query in turn.
    assert episode.query_id == queries[n % len(queries)]
    assert episode.seed == 321
    # Its class is one it holds, at any size; supports pass the filter.
    assert episode.query_id in held[episode.class_id]
    assert set(episode.support_ids) <= set(pool[episode.class_id])
    assert episode.query_id not in episode.support_ids
  # The filter matters here: some query holds a class below 60 pixels.
  assert any(e.query_id not in pool[e.class_id] for e in runs[0])


def test_pair_episodes_follow_hsnets_rules(toy_root, tmp_path):
  config = data_configs.protocol_config(toy_root, tmp_path, 'hsnet',
                                        episodes=120)
  episodes = evaluator.protocol_episodes(config.data, config.test)[0]
  index = builder.test_class_index(config.data, config.test)
  _, novel = builder.class_split(config.data)
  pairs = sorted((i, c) for c in novel for i in index[c])
  assert len(pairs) < 120  # the list is re-looped
  assert [(e.query_id, e.class_id) for e in episodes] == [
      pairs[n % len(pairs)] for n in range(120)]
  assert all(e.query_id not in e.support_ids and e.seed == 0
             for e in episodes)


def test_random_episodes_keep_the_authors_seeds(toy_root, tmp_path):
  config = data_configs.protocol_config(toy_root, tmp_path, 'authors',
                                        episodes=20)
  runs = evaluator.protocol_episodes(config.data, config.test)
  index = builder.test_class_index(config.data, config.test)
  _, novel = builder.class_split(config.data)
  assert len(runs) == 5
  for run, episodes in enumerate(runs):
    assert episodes == episodes_lib.test_episodes(
        index, novel, shots=1, seed=1234 + run, num_episodes=20)
  config = data_configs.protocol_config(toy_root, tmp_path, 'bam', episodes=3)
  bam = evaluator.protocol_episodes(config.data, config.test)
  assert [run[0].seed for run in bam] == [510, 365, 382, 322, 988]


def test_pfenets_padded_size_and_canvas():
  # 375 x 500: the long side 500 -> 473 -> 472; 375 * 473 / 500 = 354.75
  # -> 354 -> 352.
  assert transforms.padded_size(375, 500, 473) == (352, 472)
  assert transforms.padded_size(500, 375, 473) == (472, 352)
  image = np.full((375, 500, 3), 200, np.uint8)
  label = np.full((375, 500), 3, np.uint8)
  canvas = transforms.fit(image, 473, 'pad', label=False)
  target = transforms.fit(label, 473, 'pad', label=True)
  assert canvas.shape == (473, 473, 3) and target.shape == (473, 473)
  assert (canvas[:352, :472] == 200).all()
  assert (canvas[352:] == 0).all() and (canvas[:, 472:] == 0).all()
  assert (target[:352, :472] == 3).all()
  assert (target[352:] == 255).all() and (target[:, 472:] == 255).all()
  square = transforms.pad_to_square(label)
  assert square.shape == (500, 500)
  assert (square[:375] == 3).all() and (square[375:] == 255).all()


def test_the_loader_pads_under_pfenet(toy_root, tmp_path):
  config = data_configs.protocol_config(toy_root, tmp_path, 'pfenet',
                                        episodes=4, image_size=40)
  episode = evaluator.protocol_episodes(config.data, config.test)[0][0]
  arrays = builder.test_loader(config.data, config.test)(episode)
  source = builder.make_source(config.data)
  height, width = source.load_label(episode.query_id, 'val').shape
  assert arrays['query_image'].shape == (40, 40, 3)
  h, w = transforms.padded_size(height, width, 40)
  assert (arrays['query_label'][h:] == 255).all()
  assert (arrays['query_label'][:, w:] == 255).all()
  assert (arrays['support_masks'][0][h:] == 0).all()
  side = max(height, width)
  original = arrays['query_label_original']
  assert original.shape == (side, side)
  assert (original[height:] == 255).all() and (original[:, width:] == 255).all()


def test_the_confidence_interval_matches_the_t_table():
  # mean 52, sample std 2, n 3: t(0.975, 2) = 4.303 (printed tables).
  assert metrics.confidence_halfwidth([50.0, 52.0, 54.0]) == pytest.approx(
      4.303 * 2 / np.sqrt(3), abs=1e-3)
  assert metrics.confidence_halfwidth([50.0]) is None
  runs = [{'miou': m, 'fb_iou': 60.0, 'class_iou': {1: m}}
          for m in (50.0, 52.0, 54.0)]
  summary = metrics.summarize(runs)
  assert (summary['miou_best'], summary['miou_std']) == (
      54.0, pytest.approx(np.sqrt(8 / 3)))
  assert summary['fb_iou_ci95'] == 0.0


def test_evaluate_prints_protocols_side_by_side(toy_root, tmp_path):
  report = tmp_path / 'protocols.json'
  command = [sys.executable, '-m', 'smcp_jax.evaluate', '--config',
             'configs/toy.py', f'--config.data.root={toy_root}',
             '--config.model.width=0.0625', '--config.train.init_from=',
             '--config.data.image_size=33', '--config.test.episodes=6',
             f'--config.data.class_index_cache={tmp_path / "cache"}',
             '--untrained', '--protocols', 'authors,hsnet',
             '--report', str(report)]
  proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                        timeout=300, check=False)
  assert proc.returncode == 0, proc.stderr[-2000:]
  summaries = json.loads(report.read_text())['protocols']
  assert list(summaries) == ['authors', 'hsnet']
  assert (summaries['authors']['runs'], summaries['hsnet']['runs']) == (5, 1)
  assert summaries['hsnet']['query_order'] == 'pairs'
  assert summaries['hsnet']['image_size'] == round(400 * 33 / 417)
  lines = proc.stdout.splitlines()
  authors = next(l for l in lines if l.startswith('authors '))
  assert f'{summaries["authors"]["miou"]:6.2f}' in authors
  hsnet = next(l for l in lines if l.startswith('hsnet '))
  assert ' - ' in hsnet  # one run: no confidence interval
  bad = subprocess.run(command[:-4] + ['--protocols', 'authors,panet'],
                       cwd=REPO, capture_output=True, text=True, timeout=300,
                       check=False)
  assert bad.returncode == 1
  assert "unknown ['panet']" in bad.stderr and 'Traceback' not in bad.stderr
