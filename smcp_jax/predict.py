# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
r"""One-shot segmentation of a user's own images, from the command line.

  python -m smcp_jax.predict --checkpoint runs/demo \
      --support cat.jpg --support_mask cat_mask.png \
      --query q1.jpg q2.jpg --out predictions/

Several classes at once: name each support's class with --support_class
(one per --support; supports of one name form that class's support set).
Each query then gets one label map (a palette PNG: 0 background, 1, 2 ...
the classes in order of first mention) and the panel a legend.

  python -m smcp_jax.predict --checkpoint runs/demo \
      --support cat.jpg --support_mask cat_mask.png --support_class cat \
      --support dog.jpg --support_mask dog_mask.png --support_class dog \
      --query q1.jpg --out predictions/

Reads and checks every input, predicts with serving/predictor.Predictor (the
Python API), then writes the masks, probabilities, overlays, a panel and
predictions.json into --out. The network's modules are imported only after
the arguments are read, so that --help and argument errors are instant.
"""

import os
import shutil
import tempfile
import types

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.errors import DataError
from smcp_jax.models import modes
from smcp_jax.serving import image_io

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff',
                  '.webp')
MIN_IMAGE_SIZE = 8  # one feature cell at the encoder's stride


FLAGS = flags.FlagValues()
flags.DEFINE_string('checkpoint', None, 'training workdir, exported or '
                    'converted params', required=True, flag_values=FLAGS)
flags.DEFINE_multi_string('support', None, 'support image; repeat for k-shot',
                          required=True, flag_values=FLAGS)
flags.DEFINE_multi_string(
    'support_mask', [], 'its mask file (foreground: above half its range, '
    'an alpha channel, a label map\'s classes, or the value --class_id); '
    'one per --support', flag_values=FLAGS)
flags.DEFINE_multi_string('support_scribble', [], 'a scribble PNG instead of '
                          'a mask', flag_values=FLAGS)
flags.DEFINE_multi_string('support_box', [], 'x0,y0,x1,y1 in support pixels '
                          'instead of a mask', flag_values=FLAGS)
flags.DEFINE_multi_string(
    'support_class', [], 'the class this --support shows, one per --support: '
    'several classes are segmented at once into one label map',
    flag_values=FLAGS)
flags.DEFINE_multi_string(
    'query', None, 'query images, or folders of them (read in sorted order); '
    'repeat, or list them after one --query', required=True,
    flag_values=FLAGS)
flags.DEFINE_multi_string(
    'query_mask', [], 'ground-truth masks of the queries, in order: adds a '
    'truth row and IoU', flag_values=FLAGS)
flags.DEFINE_string('out', None, 'output folder (new or empty, or '
                    '--overwrite)', required=True, flag_values=FLAGS)
flags.DEFINE_bool('overwrite', False, 'replace what --out holds',
                  flag_values=FLAGS)
flags.DEFINE_enum(
    'prototype', 'fused', modes.PROTOTYPE_MODES, 'the query is segmented '
    'with the support prototype, its own pseudo-prototype, or their mean '
    "(fused, the paper's)", flag_values=FLAGS)
flags.DEFINE_integer('class_id', None, 'read masks as label PNGs: foreground '
                     '= this value', flag_values=FLAGS)
flags.DEFINE_string('class_name', '', 'name shown on the pictures (with '
                    '--class_id, by default the checkpoint\'s data set\'s name '
                    'of that class)',
                    flag_values=FLAGS)
flags.DEFINE_string('config', '', 'config file, when the checkpoint has none',
                    flag_values=FLAGS)
flags.DEFINE_integer('image_size', None, 'network input side (default: the '
                     'training size)', lower_bound=MIN_IMAGE_SIZE,
                     flag_values=FLAGS)
flags.DEFINE_integer('batch_size', 4, 'queries per forward pass; larger is '
                     'faster and takes more memory', lower_bound=1,
                     flag_values=FLAGS)
OWN_FLAGS = tuple(FLAGS)
arguments.add_hyphenated_aliases(FLAGS)
LISTS = ('query', 'query_mask', 'query-mask')


def parse_args(argv) -> types.SimpleNamespace:
  """The flags of `argv` (the arguments after the program name)."""
  arguments.parse(FLAGS, ['python -m smcp_jax.predict',
                          *arguments.spread(argv, LISTS)])
  return types.SimpleNamespace(**{name: FLAGS[name].value
                                  for name in OWN_FLAGS})


def _query_files(paths, annotations) -> list[str]:
  """The query paths, each folder replaced by its images in sorted order,
  leaving out the files given as annotations (a folder of photos often
  holds their masks too)."""
  given = {os.path.realpath(path) for path in annotations}
  files = []
  for path in paths:
    if not os.path.isdir(path):
      files.append(path)
      continue
    found = sorted(
        os.path.join(path, name) for name in os.listdir(path)
        if name.lower().endswith(IMAGE_SUFFIXES)
        and os.path.realpath(os.path.join(path, name)) not in given)
    if not found:
      raise DataError(f'--query folder {path} holds no image '
                      f'({", ".join(IMAGE_SUFFIXES)})')
    files += found
  return files


def _check_out(out: str, overwrite: bool, inputs) -> None:
  """--out must be a folder that holds none of the inputs: --overwrite
  replaces it whole."""
  if os.path.exists(out) and not os.path.isdir(out):
    raise DataError(f'--out {out} is a file; give a folder for the results')
  folder = os.path.realpath(out)
  for path in inputs:
    real = os.path.realpath(path)
    if real == folder or real.startswith(folder + os.sep):
      raise DataError(f'--out {out} holds the input {path}, which writing '
                      'the results there would delete; give a new folder '
                      'for the results')
  if os.path.isdir(out) and os.listdir(out) and not overwrite:
    raise DataError(f'--out {out} is not empty; pass --overwrite to replace '
                    'what it holds, or give a new folder')


def _writable_parent(out: str) -> str:
  """The folder --out is written in (results go beside it first), made and
  tried before the network runs rather than after."""
  parent = os.path.dirname(os.path.abspath(out))
  try:
    os.makedirs(parent, exist_ok=True)
    tempfile.TemporaryDirectory(prefix='.predict-', dir=parent).cleanup()
  except OSError as e:
    raise DataError(f'--out {out} cannot be written in {parent} '
                    f'({e.strerror}); give a folder you can write') from None
  return parent


def _support_annotations(args, images):
  """(kind 'mask' | 'scribble' | 'box', one mask per support, what each
  support's annotation was, for predictions.json)."""
  given = {kind: values for kind, values in (
      ('mask', args.support_mask), ('scribble', args.support_scribble),
      ('box', args.support_box)) if values}
  if len(given) != 1:
    raise DataError('annotate the supports with exactly one of '
                     '--support_mask, --support_scribble, --support_box '
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
                                     f'--support_box for {path}'))
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
                     f'{len(args.support_class)} --support_class names: '
                     'name the class of every support, in order')
  for flag, given in (('--class_name', args.class_name),
                      ('--class_id', args.class_id is not None),
                      ('--query_mask', args.query_mask)):
    if given:
      raise DataError(f'{flag} is for one class; with --support_class '
                       'name each support\'s class and give each its own '
                       'mask')
  groups = {}
  for i, name in enumerate(args.support_class):
    if not name.strip():
      raise DataError(f'--support_class {i + 1} is empty: give the class '
                       'a name')
    groups.setdefault(name, []).append(i)
  return groups


def _read_truths(args, queries):
  if not args.query_mask:
    return None
  return image_io.read_query_masks(args.query_mask, queries, args.query,
                                   args.class_id)


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


def _name_of(class_id: int | None, names) -> str:
  """The checkpoint's data set's name of --class_id ('' if unknown): the
  label PNGs it reads are that data set's."""
  if class_id is not None and 1 <= class_id <= len(names):
    return names[class_id - 1]
  return ''


def segment(argv) -> dict:
  """Reads and checks every input, predicts, then writes OUT; returns the
  summary that predictions.json holds, with 'out'. `argv`: the arguments
  after the program name."""
  args = parse_args(argv)
  annotations = (args.support_mask + args.support_scribble
                 + args.query_mask)
  inputs = [args.checkpoint, *args.support, *annotations, *args.query]
  args.query = _query_files(args.query, annotations)
  _check_out(args.out, args.overwrite,
             inputs + args.query + ([args.config] if args.config else []))
  parent = _writable_parent(args.out)
  groups = _support_classes(args)
  # pylint: disable=g-import-not-at-top
  from smcp_jax.config_lib import resolution
  from smcp_jax.serving import prediction_files
  from smcp_jax.serving import predictor as predictor_lib
  supports = [image_io.read_image(path) for path in args.support]
  kind, masks, support_records = _support_annotations(args, supports)
  queries = [image_io.read_image(path) for path in args.query]
  truths = _read_truths(args, queries)
  config = (resolution.resolve(arguments.load_config_file(args.config))
            if args.config else None)
  predictor = predictor_lib.Predictor(
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
        class_name=args.class_name or _name_of(args.class_id,
                                               predictor.setup.class_names),
        class_id=args.class_id)
    predictions = predictor.predict(supports, masks, queries, progress=True)
    write = prediction_files.write
  # Written beside OUT first, so a failure leaves OUT as it was.
  staging = tempfile.mkdtemp(prefix='.predict-', dir=parent)
  launcher.remove_if_interrupted(staging)
  try:
    summary = write(staging, request, predictions, predictor.setup.source)
    launcher.finished(staging)
    _publish(staging, args.out)
  finally:
    shutil.rmtree(staging, ignore_errors=True)
  return {**summary, 'out': args.out}


def run(argv) -> None:
  summary = segment(argv[1:])
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


def main(argv=None):
  # Parsed in segment, which tests and scripts call with their arguments.
  launcher.main(run, FLAGS, argv, parse=lambda _, argv: argv,
                interrupted='--out is as it was')


if __name__ == '__main__':
  main()
