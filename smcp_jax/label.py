# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Labels a whole image collection from a few examples, for review in the
annotation tool you use (serving/labelling.py says how).

  python -m smcp_jax.label --checkpoint runs/demo \
      --support cat.jpg --support_mask cat_mask.png \
      --images photos/ --out labels/ [--format coco|voc|masks]

Several classes: name each support's class with --support_class (repeat
the three flags per support). A folder is read recursively; a text file
lists one image path a line. Run the same command again after a crash: it
finishes what is left. On several hosts, launch it as training is launched
(jax.distributed: JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES,
JAX_PROCESS_ID, or SLURM / TPU pods): each process labels its share and
process 0 merges; `--merge` merges what separate runs labelled.
"""

import os
import time

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.errors import DataError
from smcp_jax.models import modes

FLAGS = flags.FlagValues()
flags.DEFINE_string('checkpoint', None, 'training workdir, exported or '
                    'converted params', required=True, flag_values=FLAGS)
flags.DEFINE_multi_string('support', None, 'a support image; repeat for '
                          'k-shot or for several classes', required=True,
                          flag_values=FLAGS)
flags.DEFINE_multi_string('support_mask', None, 'its mask file, one per '
                          '--support', required=True, flag_values=FLAGS)
flags.DEFINE_multi_string('support_class', [], 'the class each --support '
                          'shows (default: one class, "object")',
                          flag_values=FLAGS)
flags.DEFINE_string('images', None, 'a folder of images (recursive) or a '
                    'text file of image paths', required=True,
                    flag_values=FLAGS)
flags.DEFINE_string('out', None, 'output folder; the same command resumes '
                    'in it', required=True, flag_values=FLAGS)
flags.DEFINE_enum('format', 'coco', ['coco', 'voc', 'masks'], 'coco: '
                  'annotations.json (RLE); voc: palette PNGs and '
                  'classes.txt; masks: a PNG per image and class',
                  flag_values=FLAGS)
flags.DEFINE_enum('prototype', 'fused', modes.PROTOTYPE_MODES, 'as predict',
                  flag_values=FLAGS)
flags.DEFINE_integer('image_size', None, 'network input side (default: the '
                     'training size)', lower_bound=33, flag_values=FLAGS)
flags.DEFINE_integer('batch_size', 8, 'images per forward pass, split '
                     'over the local devices', lower_bound=1,
                     flag_values=FLAGS)
flags.DEFINE_enum('dtype', 'float32', ['float32', 'bfloat16'], 'the '
                  "network's compute dtype (bfloat16 for GPUs and TPUs)",
                  flag_values=FLAGS)
flags.DEFINE_integer('review', 24, 'least confident images on review.html',
                     lower_bound=0, flag_values=FLAGS)
flags.DEFINE_bool('merge', False, 'only merge the shards in --out (after '
                  'separate processes labelled them)', flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def _classes(args) -> dict[str, tuple[list[str], list[str]]]:
  if len(args.support_mask) != len(args.support):
    raise DataError(f'{len(args.support)} --support but '
                    f'{len(args.support_mask)} --support_mask: one mask per '
                    'support')
  names = args.support_class or ['object'] * len(args.support)
  if len(names) != len(args.support):
    raise DataError(f'{len(args.support)} --support but {len(names)} '
                    '--support_class: name the class of every support')
  for flag, paths in (('--support', args.support),
                      ('--support_mask', args.support_mask)):
    for path in paths:
      if not os.path.isfile(path):
        raise DataError(f'{flag} {path} does not exist')
  classes = {}
  for name, image, mask in zip(names, args.support, args.support_mask):
    classes.setdefault(name, ([], []))
    classes[name][0].append(image)
    classes[name][1].append(mask)
  return classes


def run(argv) -> None:
  del argv
  args = FLAGS
  # The request is checked before JAX and the network load.
  # pylint: disable=g-import-not-at-top
  from smcp_jax.serving import labelling
  images, root = labelling.list_images(args.images)
  classes = _classes(args)
  import jax
  from smcp_jax.cli import distributed
  from smcp_jax.serving import predictor as predictor_lib
  predictor = None
  if not args.merge:
    distributed.initialize()
    predictor = predictor_lib.Predictor(args.checkpoint,
                                        prototype=args.prototype,
                                        image_size=args.image_size,
                                        batch_size=args.batch_size,
                                        compute_dtype=args.dtype)
  request = labelling.Request(
      checkpoint=args.checkpoint, classes=classes, images=images, root=root,
      image_format=args.format, prototype=args.prototype,
      image_size=predictor.image_size if predictor else (
          args.image_size or 0), compute_dtype=args.dtype)
  if args.merge:
    summary = labelling.merge(args.out, request, review=args.review)
    print(f'merged: {summary["labelled"]} images labelled, '
          f'{summary["unreadable"]} unreadable -> {args.out}')
    return
  index, count = jax.process_index(), jax.process_count()
  if index == 0:
    labelling.claim(args.out, request)
  if count > 1:
    from jax.experimental import multihost_utils
    multihost_utils.sync_global_devices('label: request claimed')
    if index:
      labelling.claim(args.out, request)  # checks it
  start = time.perf_counter()
  counts = labelling.label_shards(predictor, request, args.out,
                                  process_index=index, process_count=count)
  seconds = time.perf_counter() - start
  rate = counts['images'] / seconds if seconds else 0.0
  print(f'process {index}: {counts["images"]} images in {seconds:.1f} s '
        f'({rate:.1f} images/s, {predictor.mesh.size} device(s)), '
        f'{counts["unreadable"]} unreadable, {len(classes)} class(es)',
        flush=True)
  if count > 1:
    multihost_utils.sync_global_devices('label: shards done')
  if index == 0:
    summary = labelling.merge(args.out, request, review=args.review)
    print(f'{summary["labelled"]} of {summary["images"]} images labelled '
          f'({summary["unreadable"]} unreadable, listed in '
          f'{args.out}/unreadable.json); review the least confident: '
          f'{args.out}/review.html')


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
