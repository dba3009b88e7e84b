# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""N-way K-shot evaluation: PANet's episodes and labels, the per-way
binary head combined by rule, and PANet's N-way metric."""

from flax import nnx
import numpy as np
import pytest

from benchmarks import random_episode
from configs import toy as toy_config
from smcp_jax import errors
from smcp_jax.checkpoints import model_io
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.data.pipeline import transforms
from smcp_jax.errors import DataError
from smcp_jax.evaluation import batching
from smcp_jax.evaluation import episode_list
from smcp_jax.evaluation import evaluator
from smcp_jax.evaluation import metrics
from smcp_jax.models import smcp
from tests.helpers import numerics


def test_the_combination_rule_on_crafted_logits():
  # 3 ways over 4 pixels, logits (background, foreground).
  logits = np.array([
      [[0, 2], [0, -1], [0, 1], [0, 0]],   # way 1: margins 2, -1, 1, 0
      [[0, 1], [0, -2], [0, 3], [0, 0]],   # way 2: 1, -2, 3, 0
      [[0, 2], [0, -3], [0, -1], [0, 0]],  # way 3: 2, -3, -1, 0
  ], np.float64)[:, None]  # (N, H=1, W=4, 2)
  # Pixel 0: ways 1 and 3 tie at 2 -> the first, way 1. Pixel 1: no way
  # predicts foreground -> 0. Pixel 2: way 2 (3 > 1). Pixel 3: every way's
  # own tie -> background.
  assert batching.combine_ways(logits).tolist() == [[1, 0, 2, 0]]


def test_panets_n_way_metric_by_hand():
  meter = metrics.RunMeter([3, 4, 5])
  target = np.array([[0, 1, 1, 2, 255, 0]], np.uint8)  # ways: 4, 5
  pred = np.array([[0, 1, 2, 2, 1, 1]], np.uint8)
  meter.add([4, 5], pred, target)
  result = meter.result()
  # Class 4 (way 1): TP 1, FP 1 (pixel 5), FN 1 (pixel 2): 1/3.
  # Class 5 (way 2): TP 1, FP 1 (pixel 2), FN 0: 1/2. Class 3: not scored.
  assert result['class_iou'][4] == pytest.approx(100 / 3)
  assert result['class_iou'][5] == pytest.approx(50)
  assert np.isnan(result['class_iou'][3])
  assert result['miou'] == pytest.approx((100 / 3 + 50) / 2)
  # FB-IoU: background TP 1, FN 1 (pixel 5): 1/2; foreground pooled:
  # TP 3 (pixels 1-3), FP 1 (pixel 5): 3/4.
  assert result['fb_iou'] == pytest.approx(50 * (0.5 + 0.75))


def _config(toy_root, tmp_path, **test):
  config = toy_config.get_config()
  config.data.root = toy_root
  config.data.image_size = 33
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.model.width = 0.0625
  config.train.init_from = ''
  config.test.episodes = 12
  config.test.runs = 2
  config.test.ways = 3
  for key, value in test.items():
    setattr(config.test, key, value)
  return resolution.resolve(config)


def test_n_way_episodes_follow_panet(toy_root, tmp_path):
  config = _config(toy_root, tmp_path, episodes=40)
  index = builder.test_class_index(config.data, config.test)
  _, novel = builder.class_split(config.data)
  for run in evaluator.protocol_episodes(config.data, config.test):
    query_ways = set()
    for e in run:
      classes = [c for c, _ in e.ways]
      assert len(set(classes)) == 3 and set(classes) <= set(novel)
      for class_id, supports in e.ways:
        assert len(supports) == 1 and set(supports) <= set(index[class_id])
      holders = [w for w, c in enumerate(classes) if e.query_id in index[c]]
      assert holders
      query_ways.add(tuple(holders))
    # The query's way is drawn once a run: one way holds every query.
    assert set.intersection(*map(set, query_ways))


def test_n_way_arrays_label_the_query_by_way(toy_root, tmp_path):
  config = _config(toy_root, tmp_path)
  episode = evaluator.protocol_episodes(config.data, config.test)[0][0]
  arrays = builder.test_loader(config.data, config.test)(episode)
  assert arrays['support_images'].shape == (3, 1, 33, 33, 3)
  assert arrays['support_masks'].shape == (3, 1, 33, 33)
  source = builder.make_source(config.data)
  label = transforms.fit(source.load_label(episode.query_id, 'trainaug'), 33,
                         'squash', label=True)
  expected = np.where(label == 255, 255, 0)
  for way, (class_id, supports) in enumerate(episode.ways):
    expected[label == class_id] = way + 1
    support = transforms.fit(source.load_label(supports[0], 'trainaug'), 33,
                             'squash', label=True)
    np.testing.assert_array_equal(arrays['support_masks'][way, 0],
                                  support == class_id)
  np.testing.assert_array_equal(arrays['query_label'], expected)
  assert arrays['class_ids'].tolist() == [c for c, _ in episode.ways]


def test_the_query_is_encoded_once_with_the_same_logits():
  model = smcp.SMCP(width=0.125, num_mcl_classes=16, rngs=nnx.Rngs(0))
  support, masks, query = random_episode.episode(41, shots=2, batch=3,
                                                 seed=4)
  # Episode 0 of a batch of 1 with 3 ways = the 3 supports of the batch.
  ways = model.infer_ways(support[None], masks[None], query[:1])['logits']
  assert ways.shape[:2] == (1, 3)
  for way in range(3):
    single = model.infer(support[way:way + 1], masks[way:way + 1],
                         query[:1])['logits']
    assert numerics.max_rel_diff(ways[0, way], single[0]) < 1e-4


def test_n_way_evaluation_replays_and_refuses_mismatches(toy_root, tmp_path):
  config = _config(toy_root, tmp_path)
  graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
  runs = evaluator.protocol_episodes(config.data, config.test)
  path = str(tmp_path / 'ways.json')
  episode_list.write(path, config, runs)
  replayed = episode_list.read(path, config,
                               builder.test_class_index(
                                   config.data, config.test, min_area=0))
  assert replayed == runs
  score = lambda r: evaluator.evaluate(config, graphdef, params, r,
                                       progress=False)
  first = score(runs)
  assert score(replayed) == first and first['ways'] == 3
  assert '3-way 1-shot)' in evaluator.format_table(first)
  assert 0 <= first['fb_iou'] <= 100
  two_way = _config(toy_root, tmp_path, ways=2)
  with pytest.raises(DataError, match='other settings'):
    episode_list.read(path, two_way,
                      builder.test_class_index(two_way.data, two_way.test))
  with pytest.raises(errors.ConfigError, match='N-way episodes are'):
    _config(toy_root, tmp_path, protocol='hsnet')
  with pytest.raises(DataError, match='novel classes'):
    six = _config(toy_root, tmp_path, ways=6)
    evaluator.protocol_episodes(six.data, six.test)
