# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Metrics on crafted predictions with hand-computed IoUs."""

import math

import numpy as np

from smcp_jax.evaluation import metrics


def test_hand_computed_episode_and_run():
  target = np.array([[1, 1, 0, 0],
                     [1, 255, 0, 0]])
  pred = np.array([[1, 0, 1, 0],
                   [1, 1, 0, 0]])   # the 255 pixel's prediction is dropped
  assert metrics.slot_counts(pred, target, 1) == (2, 1, 1)
  assert metrics.slot_counts(pred, target, 0) == (3, 1, 1)
  meter = metrics.RunMeter([1, 2])
  meter.add(1, pred, target)
  # Class 2: perfect on a second episode (no void pixel there).
  clean = np.where(target == 255, 0, target)
  meter.add(2, clean, clean)
  out = meter.result()
  assert math.isclose(out['class_iou'][1], 100 * 2 / 4)
  assert math.isclose(out['class_iou'][2], 100.0)
  assert math.isclose(out['miou'], 75.0)
  # FB-IoU: bg TP 3+5, FP 1+0, FN 1+0; fg TP 2+3, FP 1+0, FN 1+0.
  assert math.isclose(out['fb_iou'], 50 * (8 / 10 + 5 / 7))


def test_sums_over_episodes_not_mean_of_ious():
  meter = metrics.RunMeter([3])
  big_t = np.ones((10, 10), int)
  big_p = big_t.copy()
  small_t = np.zeros((10, 10), int)
  small_t[0, 0] = 1
  meter.add(3, big_p, big_t)  # IoU 1 on 100 pixels
  meter.add(3, np.zeros((10, 10), int), small_t)  # IoU 0 on 1 pixel
  assert math.isclose(meter.result()['class_iou'][3], 100 * 100 / 101)


def test_class_absent_from_predictions_and_target_without_class():
  meter = metrics.RunMeter([1, 2])
  target = np.zeros((4, 4), int)
  target[:2] = 1
  meter.add(1, np.zeros((4, 4), int), target)  # never predicted: IoU 0
  # Target without the class: its false positives do not count (authors).
  meter.add(2, np.ones((4, 4), int), np.zeros((4, 4), int))
  out = meter.result()
  assert out['class_iou'][1] == 0.0
  assert math.isnan(out['class_iou'][2])
  assert out['miou'] == 0.0  # NaN classes are left out of the mean
  # Background: TP 8 (ep 1) + 0 (ep 2), FP 8 (ep 1), FN 16 (ep 2).
  assert math.isclose(out['fb_iou'], 50 * (8 / 32 + 0.0))


def test_summary_over_runs():
  runs = [{'miou': 40.0, 'fb_iou': 60.0, 'class_iou': {1: 40.0}},
          {'miou': 50.0, 'fb_iou': 70.0, 'class_iou': {1: 50.0}}]
  out = metrics.summarize(runs)
  assert out['miou'] == 45.0 and out['miou_std'] == 5.0
  assert out['fb_iou'] == 65.0 and out['class_iou'] == {1: 45.0}


def test_iou_percent_on_a_hand_computed_case():
  target = np.array([[1, 1, 1, 0], [0, 0, 255, 0]], np.uint8)
  pred = np.array([[1, 1, 0, 1], [0, 0, 1, 0]], bool)  # the 255 is ignored
  assert metrics.iou_percent(pred, target) == 50.0  # TP 2, FP 1, FN 1
  empty = np.zeros_like(target)
  assert metrics.iou_percent(np.zeros_like(pred), empty) == 100.0
  assert metrics.iou_percent(pred, empty) == 0.0
