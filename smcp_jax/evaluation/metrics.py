# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Few-shot segmentation metrics as the authors (and PANet) compute them,
and as PFENet, HSNet and BAM do.

Per episode, for the background slot and the episode's class slot j:
P_j = predicted j on non-ignored pixels, T_j = target j. Over a run,
TP / FP / FN are summed per class; class IoU = TP / (TP + FP + FN); mIoU is
the mean over the fold's novel classes; FB-IoU ("binary IoU") is the mean
of the background IoU and the foreground IoU summed over all classes.
The codebases differ where T_j is empty (the class erased from the scored
label by its resize, or a label without background): scoring 'present'
(PANet's Metric) adds nothing to that slot, its false positives included,
and a class never scored is NaN, left out of the mean; 'every' (PFENet's
intersectionAndUnion, HSNet's Evaluator) adds every episode's
intersection and union, and a class with an empty union has IoU 0.
Results are means and standard deviations over runs, in percent, with the
best run and a 95% confidence interval of the mean over runs.
"""

import numpy as np
from scipy import stats

from smcp_jax.data.labels import IGNORE_LABEL


def slot_counts(pred: np.ndarray, target: np.ndarray, value: int, *,
                every: bool = False):
  """(TP, FP, FN) of one slot; None where the target lacks the value,
  unless `every` (then FP alone can be non-zero)."""
  valid = target != IGNORE_LABEL
  truth = target == value
  if not (every or truth.any()):
    return None
  predicted = (pred == value) & valid
  tp = int(np.sum(predicted & truth))
  return tp, int(np.sum(predicted & ~truth)), int(np.sum(truth & ~predicted))


def iou_percent(pred: np.ndarray, target: np.ndarray) -> float:
  """Foreground IoU of one prediction in percent (255 ignored); 100 when
  neither marks any pixel."""
  counts = slot_counts(pred, target, 1)
  if counts is None:
    stray = np.any(pred.astype(bool) & (target != IGNORE_LABEL))
    return 0.0 if stray else 100.0
  return 100.0 * counts[0] / sum(counts)


class RunMeter:
  """Accumulates one run's episodes, scored the `scoring` way
  (protocols.SCORINGS: 'present' | 'every', above)."""

  def __init__(self, classes, scoring: str = 'present'):
    self.classes = tuple(classes)
    self.every = scoring == 'every'
    self.fg = {c: np.zeros(3, np.int64) for c in self.classes}
    self.bg = np.zeros(3, np.int64)
    self.fg_pooled = np.zeros(3, np.int64)

  def add(self, class_ids, pred: np.ndarray, target: np.ndarray) -> None:
    """pred and target label way j's class j + 1 (1-way: one class id,
    binary maps), 0 background, target 255 ignored."""
    if pred.shape != target.shape:
      raise ValueError(f'prediction {pred.shape} and label {target.shape} '
                       'differ in size')
    background = slot_counts(pred, target, 0, every=self.every)
    if background is not None:
      self.bg += background
    for way, class_id in enumerate(np.atleast_1d(class_ids)):
      counts = slot_counts(pred, target, way + 1, every=self.every)
      if counts is not None:
        self.fg[int(class_id)] += counts
    # FB-IoU's foreground: every way's pixels pooled (PANet's binary IoU).
    pooled = slot_counts((pred > 0).astype(np.uint8),
                         np.where(target == IGNORE_LABEL, IGNORE_LABEL,
                                  target > 0), 1, every=self.every)
    if pooled is not None:
      self.fg_pooled += pooled

  def _iou(self, counts) -> float:
    total = counts.sum()
    if not total:
      return 0.0 if self.every else float('nan')
    return float(counts[0] / total)

  def result(self) -> dict:
    """IoUs of the run in percent; a class never scored is NaN
    ('present') or 0 ('every')."""
    class_iou = {c: 100 * self._iou(v) for c, v in self.fg.items()}
    return {
        'class_iou': class_iou,
        'miou': float(np.nanmean(list(class_iou.values()))),
        'fb_iou': 50 * (self._iou(self.bg) + self._iou(self.fg_pooled)),
    }


def confidence_halfwidth(values) -> float | None:
  """Half-width of the 95% confidence interval of the mean of `values`
  (Student's t, sample std); None for a single value."""
  n = len(values)
  if n < 2:
    return None
  return float(stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1)
               / np.sqrt(n))


def summarize(runs: list[dict]) -> dict:
  """Mean, std (ddof 0, as PANet), best and the 95% confidence interval's
  half-width over runs of mIoU and FB-IoU; each class IoU's mean."""
  classes = runs[0]['class_iou'].keys()
  out = {}
  for key in ('miou', 'fb_iou'):
    values = [r[key] for r in runs]
    out.update({key: float(np.mean(values)),
                f'{key}_std': float(np.std(values)),
                f'{key}_best': float(np.max(values)),
                f'{key}_ci95': confidence_halfwidth(values)})
  out.update(
      class_iou={int(c): float(np.mean([r['class_iou'][c] for r in runs]))
                 for c in classes},
      runs=len(runs),
      per_run=[{'miou': r['miou'], 'fb_iou': r['fb_iou']} for r in runs])
  return out
