# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Evaluation on the novel classes, with the field's episode protocol.

Runs x episodes (seed + run), batched inference with a fixed shape, the
prediction upsampled to the scored label (resized or original resolution)
and scored with smcp_jax.metrics.
"""

import concurrent.futures
import os

from flax import nnx
import jax
import ml_collections
import numpy as np
import tqdm

from smcp_jax import config_lib
from smcp_jax import metrics
from smcp_jax import visualize
from smcp_jax.data import builder
from smcp_jax.data import folds
from smcp_jax.models import resize


def upsampled_logits(logits: np.ndarray, size) -> np.ndarray:
  """(h, w, C) logits -> (size[0], size[1], C), bilinear like the authors."""
  mh = resize.interpolation_matrix(logits.shape[0], size[0])
  mw = resize.interpolation_matrix(logits.shape[1], size[1])
  rows = np.einsum('oh,hwc->owc', mh, logits.astype(np.float64))
  return np.einsum('owc,pw->opc', rows, mw)


def upsampled_prediction(logits: np.ndarray, size) -> np.ndarray:
  """Binary prediction at `size` (ties go to background)."""
  up = upsampled_logits(logits, size)
  return (up[..., 1] > up[..., 0]).astype(np.uint8)


def _batches(items, size):
  return [items[start:start + size] for start in range(0, len(items), size)]


def save_panel(path: str, arrays: dict, prediction: np.ndarray,
               dataset: str) -> None:
  """A Fig. 5-style picture of one episode at the network's input size."""
  name = folds.class_name(dataset, int(arrays['class_id']))
  visualize.episode_panel(
      [visualize.denormalize(image) for image in arrays['support_images']],
      arrays['support_masks'] > 0,
      [visualize.denormalize(arrays['query_image'])], [prediction == 1],
      [arrays['query_label']],
      title=f'episode {int(arrays["episode"])}: class "{name}"').save(path)


def evaluate(config: ml_collections.ConfigDict, graphdef, params, *,
             runs: int | None = None, episodes: int | None = None,
             batch_size: int = 8, progress: bool = True,
             panels_dir: str = '', num_panels: int = 0) -> dict:
  """Scores `params` over runs x episodes; returns metrics.summarize().

  With `num_panels`, writes pictures of run 0's first episodes to
  `panels_dir`.
  """
  config = config_lib.resolve(config)
  if episodes:
    config.test.episodes = episodes
  test = config.test
  _, resolution = builder.test_setup(config)
  infer = jax.jit(lambda p, s, m, q: nnx.merge(graphdef, p).infer(
      s, m, q, mode=test.prototype,
      empty_pseudo_mask=test.empty_pseudo_mask)['logits'])
  _, novel = builder.class_split(config.data)
  results = []
  with concurrent.futures.ThreadPoolExecutor(2) as pool:
    for run in range(runs or test.runs):
      run_episodes, loader = builder.test_episodes(config, run)
      meter = metrics.RunMeter(novel)
      bar = tqdm.tqdm(total=len(run_episodes), desc=f'eval run {run}',
                      unit='ep', disable=not progress, leave=False)
      groups = _batches(run_episodes, batch_size)
      pending = [pool.submit(loader, e) for e in groups[0]]
      for index in range(len(groups)):
        # Load the next batch while this one runs; keep memory to two batches.
        group = [future.result() for future in pending]
        if index + 1 < len(groups):
          pending = [pool.submit(loader, e) for e in groups[index + 1]]
        # A partial last batch is padded by repeating, so shapes stay fixed.
        padded = group + [group[-1]] * (batch_size - len(group))
        stack = lambda key: np.stack([a[key] for a in padded])
        logits = np.asarray(infer(params, stack('support_images'),
                                  stack('support_masks'),
                                  stack('query_image')))
        for arrays, episode_logits in zip(group, logits):
          target = arrays['query_label_original' if resolution == 'original'
                          else 'query_label']
          meter.add(arrays['class_id'],
                    upsampled_prediction(episode_logits, target.shape),
                    target)
          number = int(arrays['episode'])
          if run == 0 and number < num_panels:
            os.makedirs(panels_dir, exist_ok=True)
            save_panel(os.path.join(panels_dir, f'episode_{number:04d}.png'),
                       arrays, upsampled_prediction(
                           episode_logits, arrays['query_label'].shape),
                       config.data.dataset)
        bar.update(len(group))
      bar.close()
      results.append(meter.result())
  summary = metrics.summarize(results)
  summary.update(
      protocol=test.protocol, label_resolution=resolution,
      prototype=test.prototype, annotation=test.annotation,
      shots=config.data.shots, episodes=test.episodes,
      dataset=config.data.dataset, fold=config.data.fold)
  return summary


def format_table(summary: dict) -> str:
  lines = [f'{"class":>8} {"IoU %":>8}']
  lines += [f'{c:>8} {v:8.2f}' for c, v in summary['class_iou'].items()]
  lines.append(f'{"mIoU":>8} {summary["miou"]:8.2f} +- '
               f'{summary["miou_std"]:.2f}')
  lines.append(f'{"FB-IoU":>8} {summary["fb_iou"]:8.2f} +- '
               f'{summary["fb_iou_std"]:.2f}')
  lines.append(f'({summary["runs"]} runs x {summary["episodes"]} episodes, '
               f'{summary["protocol"]} protocol, {summary["prototype"]} '
               f'prototype, {summary["annotation"]} support, '
               f'{summary["shots"]}-shot)')
  return '\n'.join(lines)


def report_path(checkpoint: str, config: ml_collections.ConfigDict) -> str:
  """Beside the checkpoint, named by what was evaluated."""
  test = config.test
  name = (f'eval_{test.protocol}_{test.prototype}_{test.annotation}_'
          f'{config.data.shots}shot.json')
  return os.path.join(checkpoint, name)
