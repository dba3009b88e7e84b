# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Evaluation on the novel classes, with the field's episode protocol.

Runs x episodes (seed + run), batched inference with a fixed shape, the
prediction upsampled to the scored label (resized or original resolution)
and scored with evaluation/metrics.py.
"""

import concurrent.futures
import hashlib
import json
import os

import ml_collections
import numpy as np
import tqdm

from smcp_jax.checkpoints import model_io
from smcp_jax.data import builder
from smcp_jax.data import folds
from smcp_jax.data.pipeline.episodes import Episode
from smcp_jax.evaluation import batching
from smcp_jax.evaluation import episode_list
from smcp_jax.evaluation import metrics
from smcp_jax.evaluation import visualize
from smcp_jax.models import resize
from smcp_jax.models import smcp


def save_panel(path: str, arrays: dict, prediction: np.ndarray,
               data: ml_collections.ConfigDict) -> None:
  """A Fig. 5-style picture of one episode at the network's input size."""
  names = folds.custom_names(data) if data.dataset == 'custom' else ()
  name = folds.class_name(data.dataset, int(arrays['class_id']), names)
  visualize.episode_panel(
      [visualize.denormalize(image) for image in arrays['support_images']],
      arrays['support_masks'] > 0,
      [visualize.denormalize(arrays['query_image'])], [prediction == 1],
      [arrays['query_label']],
      title=f'episode {int(arrays["episode"])}: class "{name}"').save(path)


def protocol_episodes(data: ml_collections.ConfigDict,
                      test: ml_collections.ConfigDict, *,
                      runs: int | None = None,
                      episodes: int | None = None) -> list[list[Episode]]:
  """The protocol's runs x episodes (default test.runs x test.episodes),
  run r drawn with test.seeds[r]."""
  return [builder.test_episodes(data, test, run, episodes)
          for run in range(runs or test.runs)]


def cut_short_note(data: ml_collections.ConfigDict,
                   test: ml_collections.ConfigDict) -> str | None:
  """A line to say when an explicit episode count cuts short a protocol
  whose rule is "every test image is the query once" (HSNet's on
  FSS-1000); None otherwise."""
  if data.dataset != 'fss1000' or test.query_order != 'pairs':
    return None
  images = {i for ids in builder.test_class_index(data, test).values()
            for i in ids}
  if test.episodes >= len(images):
    return None
  return (f'note: config.test.episodes={test.episodes} cuts the '
          f'{test.protocol} protocol short: its rule is every one of the '
          f'{len(images)} test images as the query once '
          '(--config.test.episodes=0 evaluates them all)')


def jitted_inference(test: ml_collections.ConfigDict, graphdef,
                     ways: int = 1):
  """The test-time network (N-way: SMCP.infer_ways), jitted: build it once
  and pass it to every evaluate / validate of one model, so that training's
  periodic evaluations do not trace and compile it again each time."""
  return model_io.jit_method(
      graphdef, smcp.SMCP.infer_ways if ways > 1 else smcp.SMCP.infer,
      mode=test.prototype, empty_pseudo_mask=test.empty_pseudo_mask)


def evaluate(config: ml_collections.ConfigDict, graphdef, params,
             episode_runs: list[list[Episode]], *, batch_size: int = 8,
             progress: bool = True, panels_dir: str = '',
             num_panels: int = 0, infer=None) -> dict:
  """Scores `params` with a resolved config on `episode_runs` (one list
  per run: protocol_episodes, or a replayed episode_list); returns
  metrics.summarize() with the settings and the list's sha256.

  With `num_panels`, writes pictures of run 0's first episodes to
  `panels_dir`. `infer`: jitted_inference(test, graphdef, test.ways),
  made here when not given.
  """
  test = config.test
  _, novel = builder.class_split(config.data)
  infer = infer or jitted_inference(test, graphdef, test.ways)
  summary = _score(config, infer, params, episode_runs,
                   builder.test_loader(config.data, test), novel,
                   ways=test.ways, batch_size=batch_size, progress=progress,
                   panels_dir=panels_dir, num_panels=num_panels)
  summary.update(
      protocol=test.protocol, split=test.split,
      label_resolution=test.label_resolution,
      seeds=','.join(str(run[0].seed) for run in episode_runs),
      image_size=test.image_size, resize=test.resize,
      min_area=test.min_area, query_order=test.query_order,
      label_nearest=test.label_nearest, scoring=test.scoring,
      upsample=test.upsample, ways=test.ways,
      prototype=test.prototype, annotation=test.annotation,
      shots=config.data.shots, episodes=len(episode_runs[0]),
      dataset=config.data.dataset, fold=config.data.fold,
      coco_split=config.data.coco_split,
      episodes_sha256=episode_list.sha256(config, episode_runs))
  return summary


def validate(config: ml_collections.ConfigDict, graphdef, params,
             validation, *, infer=None) -> dict:
  """Model selection's score: `validation` = builder.validation(...),
  episodes of the training classes on held-out images; no novel class.
  `infer`: jitted_inference(config.test, graphdef), made here when not
  given."""
  episodes, loader, classes = validation
  return _score(config, infer or jitted_inference(config.test, graphdef),
                params, [episodes], loader, classes, progress=False)


def _score(config, infer, params, episode_runs, loader, classes, *,
           ways: int = 1, batch_size: int = 8, progress: bool = True,
           panels_dir: str = '', num_panels: int = 0) -> dict:
  """metrics.summarize() of `params` on the episodes `loader` makes with
  the jitted network `infer`, IoU per class of `classes`; N-way episodes
  combine the ways' predictions (batching.combine_ways)."""
  target_key = ('query_label_original' if loader.options.original_label
                else 'query_label')
  corners = config.test.upsample == 'corners'
  results = []
  with concurrent.futures.ThreadPoolExecutor(2) as pool:
    for run, run_episodes in enumerate(episode_runs):
      meter = metrics.RunMeter(classes, config.test.scoring)
      bar = tqdm.tqdm(total=len(run_episodes), desc=f'eval run {run}',
                      unit='ep', disable=not progress, leave=False)
      groups = batching.batches(run_episodes, batch_size)
      pending = [pool.submit(loader, e) for e in groups[0]]
      for index in range(len(groups)):
        # Load the next batch while this one runs; keep memory to two batches.
        group = [future.result() for future in pending]
        if index + 1 < len(groups):
          pending = [pool.submit(loader, e) for e in groups[index + 1]]
        padded = batching.pad_batch(group, batch_size)
        stack = lambda key: np.stack([a[key] for a in padded])
        logits = np.asarray(infer(params, stack('support_images'),
                                  stack('support_masks'),
                                  stack('query_image'))['logits'])
        for arrays, episode_logits in zip(group, logits):
          target = arrays[target_key]
          if ways > 1:
            meter.add(arrays['class_ids'], batching.combine_ways(np.stack(
                [resize.upsampled_logits(way, target.shape, corners)
                 for way in episode_logits])), target)
            continue
          meter.add(arrays['class_id'],
                    resize.upsampled_prediction(episode_logits, target.shape,
                                                corners), target)
          number = int(arrays['episode'])
          if run == 0 and number < num_panels:
            os.makedirs(panels_dir, exist_ok=True)
            save_panel(os.path.join(panels_dir, f'episode_{number:04d}.png'),
                       arrays, resize.upsampled_prediction(
                           episode_logits, arrays['query_label'].shape),
                       config.data)
        bar.update(len(group))
      bar.close()
      results.append(meter.result())
  return metrics.summarize(results)


def format_table(summary: dict) -> str:
  lines = [f'checkpoint: {summary["checkpoint"]}'] if (
      'checkpoint' in summary) else []
  lines.append(f'{"class":>8} {"IoU %":>8}')
  lines += [f'{c:>8} {v:8.2f}' for c, v in summary['class_iou'].items()]
  for key, label in (('miou', 'mIoU'), ('fb_iou', 'FB-IoU')):
    ci = summary[f'{key}_ci95']
    extra = (f' (95% CI +-{ci:.2f}, best run {summary[f"{key}_best"]:.2f})'
             if ci is not None else '')
    # One run has no spread: '-', as the protocols' table says.
    spread = f'{summary[f"{key}_std"]:.2f}' if summary['runs'] > 1 else '-'
    lines.append(f'{label:>8} {summary[key]:8.2f} +- {spread}{extra}')
  ways = f'{summary["ways"]}-way ' if summary['ways'] > 1 else ''
  lines.append(f'({summary["runs"]} runs x {summary["episodes"]} episodes, '
               f'{summary["protocol"]} protocol, {summary["prototype"]} '
               f'prototype, {summary["annotation"]} support, {ways}'
               f'{summary["shots"]}-shot)')
  return '\n'.join(lines)


def format_protocols_table(summaries: dict[str, dict]) -> str:
  """One line per protocol: its settings, mean +- std, the 95% confidence
  interval over runs ('-' with one run) and the best run, and speed."""
  ci = lambda v: '-' if v is None else f'+-{v:.2f}'
  lines = [f'{"protocol":<8} {"split":<8} {"runs x episodes":>15} '
           f'{"input":>10} {"label":<8} {"mIoU":>13} {"95% CI":>7} '
           f'{"best":>6} {"FB-IoU":>13} {"95% CI":>7} {"ep/s":>6}']
  for name, s in summaries.items():
    lines.append(
        f'{name:<8} {s["split"]:<8} {s["runs"]:>6} x {s["episodes"]:>6} '
        f'{s["image_size"]:>4} {s["resize"]:<5} {s["label_resolution"]:<8} '
        f'{s["miou"]:6.2f} +-{s["miou_std"]:5.2f} {ci(s["miou_ci95"]):>7} '
        f'{s["miou_best"]:6.2f} {s["fb_iou"]:6.2f} +-{s["fb_iou_std"]:5.2f} '
        f'{ci(s["fb_iou_ci95"]):>7} {s["episodes_per_s"]:6.1f}')
  return '\n'.join(lines)


def report_path(checkpoint: str, config: ml_collections.ConfigDict) -> str:
  """Beside the checkpoint, named by what was evaluated: the main settings
  in words and a digest of every setting that changes the number (the test
  section, the data set, fold and shots), so that an evaluation with other
  settings never overwrites another's report."""
  test, data = config.test, config.data
  settings = {'test': test.to_dict(), 'dataset': data.dataset,
              'fold': data.fold, 'coco_split': data.coco_split,
              'shots': data.shots, 'image_size': data.image_size}
  digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
  ways = f'{test.ways}way_' if test.ways > 1 else ''
  name = (f'eval_{test.protocol}_{test.prototype}_{test.annotation}_{ways}'
          f'{data.shots}shot_{digest.hexdigest()[:8]}.json')
  return os.path.join(checkpoint, name)
