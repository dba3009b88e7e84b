# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The files of one prediction request, written alike by the predict CLI
and the web app: per query NAME_mask.png (0/255), NAME_prob.npy (float32
foreground probability) and NAME_overlay.png; panel.png (the paper's
Fig. 5 layout) and predictions.json (what was asked and what came out).

Several classes at once (write_classes) give per query NAME_labels.png
instead of the mask: a palette PNG whose pixel values are the labels (0
background, j + 1 the j-th class), and NAME_prob.npy holds every class's
probability (N, H, W).
"""

import dataclasses
import json
import os

import numpy as np
from PIL import Image

from smcp_jax.evaluation import metrics
from smcp_jax.evaluation import visualize
from smcp_jax.serving import image_io


@dataclasses.dataclass
class Request:
  """What a user asked: supports, their annotations, queries."""
  supports: list  # uint8 RGB arrays
  support_masks: list  # boolean arrays of the supports' sizes
  support_records: list  # per support: {'image': ..., kind: ...}
  annotation: str  # 'mask' | 'scribble' | 'box'
  queries: list  # uint8 RGB arrays
  query_files: list  # their file names (or paths), for names and captions
  truths: list | None = None  # 0/1 query masks, for IoU
  prototype: str = 'fused'
  class_name: str = ''
  class_id: int | None = None


def output_names(paths) -> list[str]:
  """Query file stems, unique: a repeated stem takes the first free _2,
  _3 ... suffix, free of every query's own stem too (a/img.jpg, b/img.jpg
  and img_2.jpg give img, img_3, img_2)."""
  stems = [os.path.splitext(os.path.basename(path))[0] for path in paths]
  taken, seen, names = set(stems), set(), []
  for stem in stems:
    name = stem
    if stem in seen:
      number = 2
      while f'{stem}_{number}' in taken:
        number += 1
      name = f'{stem}_{number}'
      taken.add(name)
    seen.add(stem)
    names.append(name)
  return names


def write(folder: str, request: Request, predictions, source: str) -> dict:
  """Writes every file into `folder`; returns predictions.json's content."""
  records = []
  names = output_names(request.query_files)
  for i, (name, image, result) in enumerate(zip(names, request.queries,
                                                predictions)):
    image_io.write_mask(os.path.join(folder, f'{name}_mask.png'),
                        result.mask)
    np.save(os.path.join(folder, f'{name}_prob.npy'), result.probability)
    Image.fromarray(visualize.overlay(
        image, result.mask, visualize.PREDICTION_COLOUR)).save(
            os.path.join(folder, f'{name}_overlay.png'))
    record = {'query': request.query_files[i], 'mask': f'{name}_mask.png',
              'probability': f'{name}_prob.npy',
              'overlay': f'{name}_overlay.png',
              'foreground_fraction': float(result.mask.mean())}
    if request.truths is not None:
      record['iou'] = metrics.iou_percent(result.mask, request.truths[i])
    records.append(record)
  kind, shots = request.annotation, len(request.supports)
  what = (f'class "{request.class_name}"' if request.class_name
          else 'support class')
  visualize.episode_panel(
      request.supports, request.support_masks, request.queries,
      [p.mask for p in predictions], request.truths,
      title=f'{what}, {shots}-shot ({kind}), {request.prototype} prototype',
      support_caption=f'support ({kind})',
      query_captions=[os.path.basename(f) for f in request.query_files]
  ).save(os.path.join(folder, 'panel.png'))
  summary = {'checkpoint': source, 'prototype': request.prototype,
             'shots': shots, 'annotation': kind,
             'class_id': request.class_id, 'class_name': request.class_name,
             'supports': request.support_records, 'queries': records,
             'panel': 'panel.png'}
  with open(os.path.join(folder, 'predictions.json'), 'w') as f:
    json.dump(summary, f, indent=2)
  return summary


@dataclasses.dataclass
class SupportClass:
  """One class of a several-class request: its name and supports."""
  name: str
  supports: list  # uint8 RGB arrays
  support_masks: list  # boolean arrays of the supports' sizes
  support_records: list  # per support: {'image': ..., kind: ...}


@dataclasses.dataclass
class ClassesRequest:
  """Several classes, each with its supports, segmented in the queries."""
  classes: list  # SupportClass, in label order (label j + 1 for the j-th)
  annotation: str  # 'mask' | 'scribble' | 'box'
  queries: list  # uint8 RGB arrays
  query_files: list  # their file names (or paths), for names and captions
  prototype: str = 'fused'


def write_classes(folder: str, request: ClassesRequest, predictions,
                  source: str) -> dict:
  """Writes a several-class request's files into `folder`; returns
  predictions.json's content."""
  names = [c.name for c in request.classes]
  records = []
  for path, stem, image, result in zip(
      request.query_files, output_names(request.query_files),
      request.queries, predictions):
    visualize.palette_image(result.labels).save(
        os.path.join(folder, f'{stem}_labels.png'))
    np.save(os.path.join(folder, f'{stem}_prob.npy'), result.probabilities)
    Image.fromarray(visualize.label_overlay(image, result.labels)).save(
        os.path.join(folder, f'{stem}_overlay.png'))
    counts = np.bincount(result.labels.ravel(), minlength=len(names) + 1)
    fractions = counts / result.labels.size
    records.append({
        'query': path, 'labels': f'{stem}_labels.png',
        'probability': f'{stem}_prob.npy', 'overlay': f'{stem}_overlay.png',
        'background_fraction': float(fractions[0]),
        'class_fractions': {name: float(fractions[j + 1])
                            for j, name in enumerate(names)}})
  kind = request.annotation
  visualize.classes_panel(
      [(c.name, c.supports, c.support_masks) for c in request.classes],
      request.queries, [p.labels for p in predictions],
      title=f'{len(names)} classes ({kind}), {request.prototype} prototype',
      query_captions=[os.path.basename(f) for f in request.query_files]
  ).save(os.path.join(folder, 'panel.png'))
  summary = {'checkpoint': source, 'prototype': request.prototype,
             'annotation': kind,
             'classes': [{'label': j + 1, 'name': c.name,
                          'colour': list(visualize.class_colour(j + 1)),
                          'shots': len(c.supports),
                          'supports': c.support_records}
                         for j, c in enumerate(request.classes)],
             'queries': records, 'panel': 'panel.png'}
  with open(os.path.join(folder, 'predictions.json'), 'w') as f:
    json.dump(summary, f, indent=2)
  return summary
