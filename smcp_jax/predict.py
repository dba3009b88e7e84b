# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""One-shot segmentation of a user's own images, from the command line.

  python -m smcp_jax.predict --checkpoint runs/demo \
      --support cat.jpg --support-mask cat_mask.png \
      --query q1.jpg q2.jpg --out predictions/

Reads and checks every input, predicts with inference.Predictor (the
Python API), then writes the masks, probabilities, overlays, a panel and
predictions.json into --out.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

from absl import logging
import numpy as np
from PIL import Image

from smcp_jax import config_lib
from smcp_jax import image_io
from smcp_jax import inference
from smcp_jax import metrics
from smcp_jax import params_io
from smcp_jax import visualize
from smcp_jax.data.errors import DataError
from smcp_jax.models import smcp

def _parse_args(argv):
  parser = argparse.ArgumentParser(
      prog='python -m smcp_jax.predict',
      description='Segments the class shown in the support image(s) in '
      'every query image.')
  parser.add_argument('--checkpoint', required=True,
                      help='training workdir, exported or converted params')
  parser.add_argument('--support', action='append', required=True,
                      help='support image; repeat for k-shot')
  parser.add_argument('--support-mask', action='append', default=[],
                      help='its mask PNG (foreground = non-zero, or '
                      '--class-id); one per --support')
  parser.add_argument('--support-scribble', action='append', default=[],
                      help='a scribble PNG instead of a mask')
  parser.add_argument('--support-box', action='append', default=[],
                      help='x0,y0,x1,y1 in support pixels instead of a mask')
  parser.add_argument('--query', nargs='+', required=True,
                      help='query images')
  parser.add_argument('--query-mask', nargs='+', default=[],
                      help='ground-truth masks of the queries, in order: '
                      'adds a truth row and IoU')
  parser.add_argument('--out', required=True, help='output folder')
  parser.add_argument('--prototype', default='fused',
                      choices=smcp.PROTOTYPE_MODES)
  parser.add_argument('--class-id', type=int, default=None,
                      help='read masks as label PNGs: foreground = this value')
  parser.add_argument('--class-name', default='',
                      help='name shown on the pictures')
  parser.add_argument('--config', default='',
                      help='config file, when the checkpoint has none')
  parser.add_argument('--image-size', type=int, default=None,
                      help='network input side (default: the training size)')
  parser.add_argument('--batch-size', type=int, default=4)
  return parser.parse_args(argv)


def _support_annotations(args, images):
  """The kind ('mask' | 'scribble' | 'box') and one mask per support."""
  given = {kind: values for kind, values in (
      ('mask', args.support_mask), ('scribble', args.support_scribble),
      ('box', args.support_box)) if values}
  if len(given) != 1:
    raise DataError('annotate the supports with exactly one of '
                    '--support-mask, --support-scribble, --support-box '
                    f'(got {sorted(given) or "none"})')
  [(kind, values)] = given.items()
  if len(values) != len(images):
    raise DataError(f'{len(images)} --support images but {len(values)} '
                    f'--support-{kind} annotations: give one per support, in '
                    'order')
  masks = []
  for path, value, image in zip(args.support, values, images):
    if kind == 'box':
      masks.append(image_io.box_mask(image_io.parse_box(value), image.shape,
                                     f'--support-box for {path}'))
    else:
      masks.append(image_io.read_mask(value, args.class_id))
    image_io.check_support(image, masks[-1], f'{path} with {kind} '
                           f'{value if kind == "box" else repr(value)}')
  return kind, masks


def _output_names(paths):
  """Query file stems, made unique with _2, _3 ... suffixes."""
  names, seen = [], {}
  for path in paths:
    stem = os.path.splitext(os.path.basename(path))[0]
    seen[stem] = seen.get(stem, 0) + 1
    names.append(stem if seen[stem] == 1 else f'{stem}_{seen[stem]}')
  return names


def _read_truths(args, queries):
  if not args.query_mask:
    return None
  if len(args.query_mask) != len(queries):
    raise DataError(f'{len(queries)} --query images but '
                    f'{len(args.query_mask)} --query-mask files')
  truths = []
  for path, mask_path, image in zip(args.query, args.query_mask, queries):
    truth = image_io.read_mask(mask_path, args.class_id)
    if truth.shape != image.shape[:2]:
      raise DataError(f'{mask_path} is {truth.shape[1]}x{truth.shape[0]} but '
                      f'the query {path} is {image.shape[1]}x'
                      f'{image.shape[0]}: give the mask of that query')
    truths.append(truth.astype(np.uint8))
  return truths


def _write_outputs(staging, args, kind, supports, masks, queries, names,
                   predictions, truths, source):
  """Everything for one run into `staging`; returns the summary dict."""
  records = []
  for i, (name, image, result) in enumerate(zip(names, queries, predictions)):
    image_io.write_mask(os.path.join(staging, f'{name}_mask.png'),
                        result.mask)
    np.save(os.path.join(staging, f'{name}_prob.npy'), result.probability)
    Image.fromarray(visualize.overlay(
        image, result.mask, visualize.PREDICTION_COLOUR)).save(
            os.path.join(staging, f'{name}_overlay.png'))
    record = {'query': args.query[i], 'mask': f'{name}_mask.png',
              'probability': f'{name}_prob.npy',
              'overlay': f'{name}_overlay.png',
              'foreground_fraction': float(result.mask.mean())}
    if truths is not None:
      record['iou'] = metrics.iou_percent(result.mask, truths[i])
    records.append(record)
  what = f'class "{args.class_name}"' if args.class_name else 'support class'
  visualize.episode_panel(
      supports, masks, queries, [p.mask for p in predictions], truths,
      title=f'{what}, {len(supports)}-shot ({kind}), {args.prototype} '
      'prototype', support_caption=f'support ({kind})').save(
          os.path.join(staging, 'panel.png'))
  summary = {'checkpoint': source, 'prototype': args.prototype,
             'shots': len(supports), 'annotation': kind,
             'supports': args.support, 'queries': records,
             'panel': 'panel.png'}
  with open(os.path.join(staging, 'predictions.json'), 'w') as f:
    json.dump(summary, f, indent=2)
  return summary


def _publish(staging: str, out: str) -> None:
  """Moves the finished files into `out` (made if missing)."""
  os.makedirs(out, exist_ok=True)
  for name in os.listdir(staging):
    os.replace(os.path.join(staging, name), os.path.join(out, name))


def run(argv=None) -> dict:
  """The CLI: reads and checks every input, predicts, then writes OUT."""
  args = _parse_args(argv)
  supports = [image_io.read_image(path) for path in args.support]
  kind, masks = _support_annotations(args, supports)
  queries = [image_io.read_image(path) for path in args.query]
  truths = _read_truths(args, queries)
  config = (config_lib.resolve(config_lib.load_config_file(args.config))
            if args.config else None)
  predictor = inference.Predictor(
      args.checkpoint, config=config, prototype=args.prototype,
      image_size=args.image_size, batch_size=args.batch_size)
  predictions = predictor.predict(supports, masks, queries, progress=True)
  parent = os.path.dirname(os.path.abspath(args.out))
  os.makedirs(parent, exist_ok=True)
  # Written beside OUT first, so a failure leaves nothing partial in OUT.
  staging = tempfile.mkdtemp(prefix='.predict-', dir=parent)
  try:
    summary = _write_outputs(staging, args, kind, supports, masks, queries,
                             _output_names(args.query), predictions, truths,
                             predictor.setup.source)
    _publish(staging, args.out)
  finally:
    shutil.rmtree(staging, ignore_errors=True)
  return {**summary, 'out': args.out}


def main(argv=None):
  logging.set_verbosity(logging.ERROR)  # orbax warns on read-only restores
  try:
    summary = run(argv)
  except (DataError, config_lib.ConfigError, FileNotFoundError,
          params_io.ParamsMismatchError) as e:
    sys.exit(f'error: {e}')
  for record in summary['queries']:
    iou = f', IoU {record["iou"]:.1f}%' if 'iou' in record else ''
    print(f'{record["query"]}: {100 * record["foreground_fraction"]:.1f}% '
          f'foreground{iou} -> {record["mask"]}')
  print(f'panel: {os.path.join(summary["out"], summary["panel"])}')


if __name__ == '__main__':
  main()
