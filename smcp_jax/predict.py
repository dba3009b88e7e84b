# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
r"""One-shot segmentation of a user's own images, from the command line.

  python -m smcp_jax.predict --checkpoint runs/demo \
      --support cat.jpg --support-mask cat_mask.png \
      --query q1.jpg q2.jpg --out predictions/

Several classes at once: name each support's class with --support-class
(one per --support; supports of one name form that class's support set).
Each query then gets one label map (a palette PNG: 0 background, 1, 2 ...
the classes in order of first mention) and the panel a legend.

  python -m smcp_jax.predict --checkpoint runs/demo \
      --support cat.jpg --support-mask cat_mask.png --support-class cat \
      --support dog.jpg --support-mask dog_mask.png --support-class dog \
      --query q1.jpg --out predictions/

Reads and checks every input, predicts with inference.Predictor (the
Python API), then writes the masks, probabilities, overlays, a panel and
predictions.json into --out. The network's modules are imported only after
the arguments are read, so that --help and argument errors are instant.
"""

import argparse
import os
import shutil
import sys
import tempfile

from smcp_jax import image_io
from smcp_jax.data.errors import DataError

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff',
                  '.webp')
PROTOTYPE_MODES = ('support', 'pseudo', 'fused')  # as smcp.PROTOTYPE_MODES
MIN_IMAGE_SIZE = 8  # one feature cell at the encoder's stride


def _at_least(minimum: int):
  def parse(text: str) -> int:
    try:
      value = int(text)
    except ValueError:
      value = None
    if value is None or value < minimum:
      raise argparse.ArgumentTypeError(
          f'must be an integer >= {minimum}, got {text!r}')
    return value
  return parse


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
  parser.add_argument('--support-class', action='append', default=[],
                      help='the class this --support shows, one per '
                      '--support: several classes are segmented at once '
                      'into one label map')
  parser.add_argument('--query', nargs='+', required=True,
                      help='query images, or folders of them (read in '
                      'sorted order)')
  parser.add_argument('--query-mask', nargs='+', default=[],
                      help='ground-truth masks of the queries, in order: '
                      'adds a truth row and IoU')
  parser.add_argument('--out', required=True,
                      help='output folder (new or empty, or --overwrite)')
  parser.add_argument('--overwrite', action='store_true',
                      help='replace what --out holds')
  parser.add_argument('--prototype', default='fused', choices=PROTOTYPE_MODES,
                      help='the query is segmented with the support '
                      'prototype, its own pseudo-prototype, or their mean '
                      '(fused, the paper\'s; default)')
  parser.add_argument('--class-id', type=int, default=None,
                      help='read masks as label PNGs: foreground = this value')
  parser.add_argument('--class-name', default='',
                      help='name shown on the pictures')
  parser.add_argument('--config', default='',
                      help='config file, when the checkpoint has none')
  parser.add_argument('--image-size', type=_at_least(MIN_IMAGE_SIZE),
                      default=None,
                      help='network input side (default: the training size)')
  parser.add_argument('--batch-size', type=_at_least(1), default=4,
                      help='queries per forward pass (default 4); larger '
                      'is faster and takes more memory')
  return parser.parse_args(argv)


def _query_files(paths) -> list[str]:
  """The query paths, each folder replaced by its images in sorted order."""
  files = []
  for path in paths:
    if not os.path.isdir(path):
      files.append(path)
      continue
    found = sorted(os.path.join(path, name) for name in os.listdir(path)
                   if name.lower().endswith(IMAGE_SUFFIXES))
    if not found:
      raise DataError(f'--query folder {path} holds no image '
                       f'({", ".join(IMAGE_SUFFIXES)})')
    files += found
  return files


def _check_out(out: str, overwrite: bool) -> None:
  if os.path.exists(out) and not os.path.isdir(out):
    raise DataError(f'--out {out} is a file; give a folder for the results')
  if os.path.isdir(out) and os.listdir(out) and not overwrite:
    raise DataError(f'--out {out} is not empty; pass --overwrite to replace '
                     'what it holds, or give a new folder')


def _support_annotations(args, images):
  """(kind 'mask' | 'scribble' | 'box', one mask per support, what each
  support's annotation was, for predictions.json)."""
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
                     f'--support-{kind} annotations: give one per support, '
                     'in order')
  masks, records = [], []
  for path, value, image in zip(args.support, values, images):
    if kind == 'box':
      box = image_io.parse_box(value)
      masks.append(image_io.box_mask(box, image.shape,
                                     f'--support-box for {path}'))
      records.append({'image': path, 'box': list(box)})
    else:
      masks.append(image_io.read_mask(value, args.class_id))
      records.append({'image': path, kind: value})
    image_io.check_support(image, masks[-1], f'{path} with {kind} '
                           f'{value if kind == "box" else repr(value)}')
  return kind, masks, records


def _support_classes(args) -> dict[str, list[int]]:
  """{class name: the indices of its --support}, in order of first
  mention; {} for a one-class request."""
  if not args.support_class:
    return {}
  if len(args.support_class) != len(args.support):
    raise DataError(f'{len(args.support)} --support images but '
                     f'{len(args.support_class)} --support-class names: '
                     'name the class of every support, in order')
  for flag, given in (('--class-name', args.class_name),
                      ('--class-id', args.class_id is not None),
                      ('--query-mask', args.query_mask)):
    if given:
      raise DataError(f'{flag} is for one class; with --support-class '
                       'name each support\'s class and give each its own '
                       'mask')
  groups = {}
  for i, name in enumerate(args.support_class):
    if not name.strip():
      raise DataError(f'--support-class {i + 1} is empty: give the class '
                       'a name')
    groups.setdefault(name, []).append(i)
  return groups


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
      raise DataError(f'{mask_path} is {truth.shape[1]}x{truth.shape[0]} '
                       f'but the query {path} is {image.shape[1]}x'
                       f'{image.shape[0]}: give the mask of that query')
    truths.append(truth.astype('uint8'))
  return truths


def _publish(staging: str, out: str) -> None:
  """Puts the finished folder in the place of `out` (and of what it held,
  which --overwrite allowed)."""
  mask = os.umask(0)
  os.umask(mask)
  os.chmod(staging, 0o777 & ~mask)  # mkdtemp makes it 0700
  previous = None
  if os.path.exists(out):
    previous = f'{staging}.previous'
    os.replace(out, previous)
  os.replace(staging, out)
  if previous:
    shutil.rmtree(previous, ignore_errors=True)


def run(argv=None) -> dict:
  """The CLI: reads and checks every input, predicts, then writes OUT."""
  args = _parse_args(argv)
  args.query = _query_files(args.query)
  _check_out(args.out, args.overwrite)
  groups = _support_classes(args)
  # pylint: disable=g-import-not-at-top
  from smcp_jax import compile_cache
  from smcp_jax import config_lib
  from smcp_jax import inference
  from smcp_jax import prediction_files
  compile_cache.enable()
  supports = [image_io.read_image(path) for path in args.support]
  kind, masks, support_records = _support_annotations(args, supports)
  queries = [image_io.read_image(path) for path in args.query]
  truths = _read_truths(args, queries)
  config = (config_lib.resolve(config_lib.load_config_file(args.config))
            if args.config else None)
  predictor = inference.Predictor(
      args.checkpoint, config=config, prototype=args.prototype,
      image_size=args.image_size, batch_size=args.batch_size)
  if groups:
    request = prediction_files.ClassesRequest(
        classes=[prediction_files.SupportClass(
            name=name, supports=[supports[i] for i in members],
            support_masks=[masks[i] for i in members],
            support_records=[support_records[i] for i in members])
                 for name, members in groups.items()],
        annotation=kind, queries=queries, query_files=args.query,
        prototype=args.prototype)
    predictions = predictor.predict_classes(
        {c.name: (c.supports, c.support_masks) for c in request.classes},
        queries, progress=True)
    write = prediction_files.write_classes
  else:
    request = prediction_files.Request(
        supports=supports, support_masks=masks,
        support_records=support_records, annotation=kind, queries=queries,
        query_files=args.query, truths=truths, prototype=args.prototype,
        class_name=args.class_name, class_id=args.class_id)
    predictions = predictor.predict(supports, masks, queries, progress=True)
    write = prediction_files.write
  parent = os.path.dirname(os.path.abspath(args.out))
  os.makedirs(parent, exist_ok=True)
  # Written beside OUT first, so a failure leaves OUT as it was.
  staging = tempfile.mkdtemp(prefix='.predict-', dir=parent)
  try:
    summary = write(staging, request, predictions, predictor.setup.source)
    _publish(staging, args.out)
  finally:
    shutil.rmtree(staging, ignore_errors=True)
  return {**summary, 'out': args.out}


def _is_input_error(error: Exception) -> bool:
  """A problem of the user's input (shown as one line), not a bug."""
  if isinstance(error, (DataError, FileNotFoundError)):
    return True
  # pylint: disable=g-import-not-at-top
  from smcp_jax import config_lib
  from smcp_jax import params_io
  return isinstance(error, (config_lib.ConfigError,
                            params_io.ParamsMismatchError))


def main(argv=None):
  try:
    summary = run(argv)
  except KeyboardInterrupt:
    print('\ninterrupted; --out is as it was', file=sys.stderr)
    sys.exit(130)
  except Exception as e:  # pylint: disable=broad-except
    if not _is_input_error(e):
      raise
    sys.exit(f'error: {e}')
  for record in summary['queries']:
    if 'labels' in record:
      shares = ', '.join(f'{name} {100 * fraction:.1f}%' for name, fraction
                         in record['class_fractions'].items())
      print(f'{record["query"]}: {shares} -> {record["labels"]}')
      continue
    iou = f', IoU {record["iou"]:.1f}%' if 'iou' in record else ''
    print(f'{record["query"]}: {100 * record["foreground_fraction"]:.1f}% '
          f'foreground{iou} -> {record["mask"]}')
  print(f'panel: {os.path.join(summary["out"], summary["panel"])}')


if __name__ == '__main__':
  main()
