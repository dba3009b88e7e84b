# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The named protocols' rules that differ between codebases, each checked
on hand-made arrays against that codebase's own formula, written out here
(not taken from our code): PFENet's episode count, how HSNet / PFENet and
PANet score an episode whose label lacks the class, the nearest-label
rules of torch, cv2 and PIL, PFENet's canvas arithmetic, and the
align_corners=True upsampling of the logits."""

import numpy as np
import pytest

from smcp_jax.data import builder
from smcp_jax.data.pipeline import episodes as episodes_lib
from smcp_jax.data.pipeline import transforms
from smcp_jax.evaluation import evaluator
from smcp_jax.evaluation import metrics
from smcp_jax.models import resize
from tests.helpers import data_configs


def _pfenet_loop_count(test_num: int, loader_length: int) -> int:
  """Episodes PFENet's test.py evaluates (batch 1): its 20 passes over the
  loader check `(iter_num - 1) * batch >= test_num` before counting."""
  iter_num = 0
  for _ in range(20):
    for _ in range(loader_length):
      if (iter_num - 1) * 1 >= test_num:
        break
      iter_num += 1
  return iter_num


def _bam_loop_count(test_num: int, loader_length: int) -> int:
  """BAM's test.py: the check is `iter_num * batch >= test_num`."""
  iter_num = 0
  for _ in range(-(-test_num // (loader_length - 1))):
    for _ in range(loader_length):
      if iter_num * 1 >= test_num:
        break
      iter_num += 1
  return iter_num


def test_pfenet_evaluates_one_episode_more_than_its_count(toy_root, tmp_path):
  assert _pfenet_loop_count(5000, 1449) == 5001
  assert _pfenet_loop_count(20000, 40137) == 20001
  assert _bam_loop_count(1000, 364) == 1000
  # The test set's 22 queries: PFENet's 20 passes end the loop first.
  assert _pfenet_loop_count(5000, 22) == 440
  config = data_configs.protocol_config(toy_root, tmp_path, 'pfenet',
                                        image_size=40)
  (run,) = evaluator.protocol_episodes(config.data, config.test)
  queries = sorted({e.query_id for e in run})
  assert len(queries) == 22
  assert len(run) == _pfenet_loop_count(5000, len(queries))
  assert [e.query_id for e in run] == [queries[n % 22] for n in range(440)]
  # With more queries than 250 the count is the 5001 the loop makes; the
  # 5001st episode is the query list's next turn, re-looped.
  index = {1: [f'q{i:03d}' for i in range(300)]}
  run = episodes_lib.test_episodes(index, [1], shots=1, seed=321,
                                   num_episodes=5001, order='sequential',
                                   max_passes=20)
  assert len(run) == _pfenet_loop_count(5000, 300) == 5001
  assert run[5000].query_id == f'q{5000 % 300:03d}'
  bam = data_configs.protocol_config(toy_root, tmp_path, 'bam', image_size=40)
  assert all(len(r) == 1000
             for r in evaluator.protocol_episodes(bam.data, bam.test))


def _hsnet_counts(pred, gt):
  """HSNet's Evaluator.classify_prediction on one binary episode: void
  pixels set to 255 in both, then histograms of {0, 1}."""
  pred = np.where(gt == 255, 255, pred)
  inter = np.bincount(pred[pred == gt], minlength=256)[:2]
  area_pred = np.bincount(pred.ravel(), minlength=256)[:2]
  area_gt = np.bincount(gt.ravel(), minlength=256)[:2]
  return inter, area_pred + area_gt - inter


def _panet_counts(pred, gt):
  """PANet's Metric.record: per slot j in (0, 1), TP / FP / FN stored
  only where gt holds j (NaN otherwise)."""
  out = []
  for j in (0, 1):
    if not (gt == j).any():
      out.append(None)
      continue
    predicted = (pred == j) & (gt != 255)
    out.append((np.sum(predicted & (gt == j)), np.sum(predicted & (gt != j)),
                np.sum((gt == j) & ~predicted)))
  return out


def test_an_episode_whose_label_lost_the_class_counts_per_protocol():
  # Episode 1 (class 2): a one-pixel-wide strip of class 2 at column 2,
  # which HSNet's nearest rule drops when 6 columns become 4 (it takes
  # columns floor(i * 1.5) = 0, 1, 3, 4).
  label = np.zeros((4, 6), np.uint8)
  label[:, 2] = 2
  label[0, 5] = 255
  rows = np.floor(np.arange(4) * np.float32(4 / 4)).astype(int)
  cols = np.floor(np.arange(4).astype(np.float32)
                  * np.float32(6 / 4)).astype(int)
  assert list(cols) == [0, 1, 3, 4]
  squashed = transforms.resize_label(label, 4, 'torch')
  np.testing.assert_array_equal(squashed, label[rows][:, cols])
  target1 = transforms.binary_label(squashed, 2)
  assert not (target1 == 1).any()  # the class is gone from the label
  pred1 = np.zeros((4, 4), np.uint8)
  pred1[:, 1:3] = 1  # where the strip was: 8 false positives now
  # Episode 2 (class 2) and episode 3 (class 4), ordinary.
  target2 = np.array([[1, 1, 0, 0], [1, 1, 0, 255]] * 2, np.uint8)
  pred2 = np.array([[1, 0, 0, 0], [1, 1, 1, 1]] * 2, np.uint8)
  target3 = np.array([[0, 0, 1, 1]] * 4, np.uint8)
  pred3 = np.array([[0, 1, 1, 1]] * 4, np.uint8)
  episodes = [(2, pred1, target1), (2, pred2, target2), (4, pred3, target3)]

  # HSNet / PFENet: every episode's intersection and union, per class.
  inter = {2: np.zeros(2), 4: np.zeros(2)}
  union = {2: np.zeros(2), 4: np.zeros(2)}
  for c, pred, gt in episodes:
    i, u = _hsnet_counts(pred, gt)
    inter[c] += i
    union[c] += u
  hsnet_class = {c: 100 * inter[c][1] / max(union[c][1], 1) for c in inter}
  hsnet_fb = 100 * np.mean(sum(inter.values()) / sum(union.values()))
  # PANet: the lost class adds nothing to its slot.
  tp_fp_fn = {2: np.zeros((2, 3)), 4: np.zeros((2, 3))}
  for c, pred, gt in episodes:
    for j, counts in enumerate(_panet_counts(pred, gt)):
      if counts is not None:
        tp_fp_fn[c][j] += counts
  panet_class = {c: 100 * v[1, 0] / v[1].sum() for c, v in tp_fp_fn.items()}
  bg = sum(v[0] for v in tp_fp_fn.values())
  fg = sum(v[1] for v in tp_fp_fn.values())
  panet_fb = 50 * (bg[0] / bg.sum() + fg[0] / fg.sum())

  results = {}
  for scoring in ('every', 'present'):
    meter = metrics.RunMeter([2, 4], scoring)
    for c, pred, gt in episodes:
      meter.add(c, pred, gt)
    results[scoring] = meter.result()
  every, present = results['every'], results['present']
  for c in (2, 4):
    assert every['class_iou'][c] == pytest.approx(hsnet_class[c])
    assert present['class_iou'][c] == pytest.approx(panet_class[c])
  assert every['fb_iou'] == pytest.approx(hsnet_fb)
  assert present['fb_iou'] == pytest.approx(panet_fb)
  # The lost episode's 8 false positives lower class 2 under HSNet only.
  assert every['class_iou'][2] < present['class_iou'][2]
  assert every['miou'] == pytest.approx(np.mean(list(hsnet_class.values())))


def test_a_class_with_an_empty_union_scores_zero_under_every():
  """PFENet divides by (union + 1e-10), HSNet by max(union, 1): a class
  no episode marked or predicted counts as 0 in the mean; PANet's NaN is
  left out of it."""
  meter = metrics.RunMeter([1, 2], 'every')
  target = np.array([[1, 0]], np.uint8)
  meter.add(1, target, target)
  out = meter.result()
  assert out['class_iou'] == {1: 100.0, 2: 0.0} and out['miou'] == 50.0


def test_the_nearest_rules_take_their_libraries_pixels():
  row = np.arange(5, dtype=np.uint8)[None].repeat(2, 0)
  # 5 -> 3 columns. torch: floor(i * 5/3) = 0, 1, 3; cv2: the same;
  # PIL: floor((i + 0.5) * 5/3) = 0, 2, 4.
  assert transforms.resize_label(row, (2, 3), 'torch')[0].tolist() == [0, 1, 3]
  assert transforms.resize_label(row, (2, 3), 'cv2')[0].tolist() == [0, 1, 3]
  assert transforms.resize_label(row, (2, 3), 'pil')[0].tolist() == [0, 2, 4]
  # 6 -> 34: torch multiplies in float32, f32(17) * f32(6/34) = 3.0000002;
  # cv2 in double, 17 * (1 / (34 / 6)) = 2.9999999999999996.
  wide = np.arange(6, dtype=np.uint8)[None]
  i = np.arange(34)
  torch_cols = np.floor(i.astype(np.float32) * np.float32(np.float32(6) /
                                                          np.float32(34)))
  cv2_cols = np.floor(i * (1.0 / (34 / 6)))
  assert (torch_cols[17], cv2_cols[17]) == (3, 2)
  np.testing.assert_array_equal(
      transforms.resize_label(wide, (1, 34), 'torch')[0], torch_cols)
  np.testing.assert_array_equal(
      transforms.resize_label(wide, (1, 34), 'cv2')[0], cv2_cols)


def test_the_torch_rule_is_torchs_nearest_interpolate():
  torch = pytest.importorskip('torch')
  rng = np.random.default_rng(0)
  for _ in range(40):
    h, w, oh, ow = (int(v) for v in rng.integers(2, 300, 4))
    label = rng.integers(0, 256, (h, w)).astype(np.uint8)
    theirs = torch.nn.functional.interpolate(
        torch.from_numpy(label).float()[None, None], (oh, ow),
        mode='nearest')[0, 0].numpy().astype(np.uint8)
    np.testing.assert_array_equal(
        transforms.resize_label(label, (oh, ow), 'torch'), theirs)


def test_the_hsnet_loader_resizes_labels_by_the_torch_rule(toy_root,
                                                          tmp_path):
  config = data_configs.protocol_config(toy_root, tmp_path, 'hsnet', episodes=6,
                               image_size=40)
  loader = builder.test_loader(config.data, config.test)
  source = builder.make_source(config.data)
  moved = 0
  for episode in evaluator.protocol_episodes(config.data, config.test)[0]:
    arrays = loader(episode)
    label = source.load_label(episode.query_id, 'val')
    size = config.test.image_size
    rows = np.floor(np.arange(size, dtype=np.float32) * np.float32(
        np.float32(label.shape[0]) / np.float32(size))).astype(int)
    cols = np.floor(np.arange(size, dtype=np.float32) * np.float32(
        np.float32(label.shape[1]) / np.float32(size))).astype(int)
    expected = transforms.binary_label(label[rows][:, cols],
                                       source.label_value(episode.class_id))
    np.testing.assert_array_equal(arrays['query_label'], expected)
    pil = transforms.binary_label(transforms.resize_label(label, size),
                                  source.label_value(episode.class_id))
    moved += int(np.sum(pil != expected))
  assert moved > 0  # the rule matters on these labels


def test_pfenets_canvas_size_uses_its_floating_point_arithmetic():
  # PFENet / BAM find_new_hw: new_h = int(ori_h * (473 * 1.0 / ori_w)),
  # then floored to a multiple of 8. 296 * 473 / 407 is exactly 344, but
  # in floating point 343.99999999999994 -> 343 -> 336.
  ratio = 473 * 1.0 / 407
  theirs = (int(296 * ratio) // 8 * 8, 473 // 8 * 8)
  assert theirs == (336, 472) and 296 * 473 // 407 == 344
  assert transforms.padded_size(296, 407, 473) == theirs
  assert transforms.padded_size(407, 296, 473) == theirs[::-1]
  image = np.full((296, 407, 3), 90, np.uint8)
  canvas = transforms.fit(image, 473, 'pad', label=False)
  assert (canvas[:336, :472] == 90).all() and (canvas[336:] == 0).all()


def test_logits_upsample_as_align_corners_true():
  """torch's bilinear with align_corners=True: source x = i * (in - 1) /
  (out - 1), written out here for a 3 -> 5 column resize."""
  logits = np.array([[[0.0, 1.0], [2.0, -1.0], [4.0, 0.5]]])  # (1, 3, 2)
  up = resize.upsampled_logits(logits, (1, 5), corners=True)
  sources = np.arange(5) * (3 - 1) / (5 - 1)  # 0, .5, 1, 1.5, 2
  expected = np.stack([np.interp(sources, [0, 1, 2], logits[0, :, c])
                       for c in range(2)], -1)
  np.testing.assert_allclose(up[0], expected, atol=1e-6)
  # align_corners=False differs: its source x = (i + 0.5) * 3/5 - 0.5.
  half = resize.upsampled_logits(logits, (1, 5))
  assert np.abs(half - up).max() > 0.1
  torch = pytest.importorskip('torch')
  rng = np.random.default_rng(1)
  x = rng.standard_normal((13, 9, 2)).astype(np.float32)
  theirs = torch.nn.functional.interpolate(
      torch.from_numpy(x).permute(2, 0, 1)[None], (61, 40), mode='bilinear',
      align_corners=True)[0].permute(1, 2, 0).numpy()
  np.testing.assert_allclose(resize.upsampled_logits(x, (61, 40), True),
                             theirs, atol=1e-5)
