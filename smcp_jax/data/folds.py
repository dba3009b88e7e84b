# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Class splits of PASCAL-5i and COCO-20i (and the toy set, like PASCAL),
and of a custom data set (the user's: custom_split)."""

from smcp_jax.errors import DataError
from smcp_jax.toy import classes

NUM_FOLDS = 4
NUM_CLASSES = {'pascal': 20, 'toy': classes.NUM_CLASSES, 'coco': 80,
               'fss1000': 1000}  # FSS-1000: split by list files, no folds
DATASETS = tuple(NUM_CLASSES) + ('custom',)
CUSTOM_SPLITS = ('train', 'val')  # readers/custom.py
COCO_SPLITS = ('contiguous', 'interleaved')
# The TFDS builder of each data set (tfds_builders.py; FSS-1000 has none).
TFDS_NAMES = {'pascal': 'smcp_pascal', 'coco': 'smcp_coco', 'toy': 'smcp_toy',
              'custom': 'smcp_custom'}
PASCAL_CLASSES = (
    'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat',
    'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person',
    'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor')


def num_classes(data) -> int:
  """Classes of a config's data set, background not counted (custom: as
  many as its classes.txt lists)."""
  if data.dataset == 'custom':
    return len(custom_names(data))
  return NUM_CLASSES[data.dataset]


def custom_names(data) -> tuple[str, ...]:
  """A custom data set's class names: from data.root/classes.txt, or
  from a TFDS build's metadata (data.source = 'tfds')."""
  # Imported here: the readers bring TensorFlow, which the commands that
  # only name classes (predict, the app) should not wait for.
  # pylint: disable=g-import-not-at-top
  if data.source == 'tfds':
    from smcp_jax.data.tfds import source
    return source.TFDSSource(data.tfds_name, data.tfds_data_dir).names
  from smcp_jax.data.readers import custom
  return custom.class_names(data.root)


def class_name(dataset: str, class_id: int, names=()) -> str:
  """A readable name for captions ('class N' where none is known);
  `names`: a custom data set's (custom_names)."""
  if dataset == 'pascal' and 1 <= class_id <= 20:
    return PASCAL_CLASSES[class_id - 1]
  if dataset == 'toy':
    return classes.class_name(class_id)
  if dataset == 'custom' and 1 <= class_id <= len(names):
    return names[class_id - 1]
  return f'class {class_id}'


def known_class_names(data) -> tuple[str, ...]:
  """The names of classes 1..N of a config's data set where they are
  known (PASCAL, the toy, a custom set whose classes.txt or TFDS build is
  at hand), else (): captions only, so a custom set moved away is no
  error."""
  if data.dataset == 'pascal':
    return PASCAL_CLASSES
  if data.dataset == 'toy':
    return tuple(classes.class_name(c) for c in
                 range(1, classes.NUM_CLASSES + 1))
  if data.dataset == 'custom':
    try:
      return custom_names(data)
    except DataError:
      return ()
  return ()


def custom_split(names, novel: str, num_folds: int,
                 fold: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
  """(training classes, novel classes) of a custom data set whose classes
  1..N are `names`: either `novel`, comma-separated names or ids, or fold
  `fold` of a `num_folds`-fold split over the classes in id order, in
  contiguous runs (fold i: the i-th run; the first N % num_folds runs hold
  one class more)."""
  count = len(names)
  if bool(novel.strip()) == bool(num_folds):
    raise DataError(
        'a custom data set needs its novel classes: set exactly one of '
        "config.data.novel_classes ('name,name' or ids from classes.txt) "
        'and config.data.folds (an N-fold split over the classes)')
  if num_folds:
    if not 2 <= num_folds <= count:
      raise DataError(f'config.data.folds must be 2..{count} (the classes '
                      f'in classes.txt), got {num_folds}')
    if not 0 <= fold < num_folds:
      raise DataError(f'config.data.fold must be 0..{num_folds - 1} with '
                      f'config.data.folds={num_folds}, got {fold}')
    size, extra = divmod(count, num_folds)
    start = fold * size + min(fold, extra) + 1
    picked = tuple(range(start, start + size + (fold < extra)))
  else:
    picked = []
    for token in (t.strip() for t in novel.split(',') if t.strip()):
      if token.isdigit() and 1 <= int(token) <= count:
        picked.append(int(token))
      elif token in names:
        picked.append(names.index(token) + 1)
      else:
        raise DataError(
            f'novel class {token!r} is not in classes.txt: give a name of '
            f'{list(names)} or an id 1..{count}')
    picked = tuple(sorted(set(picked)))
  if len(picked) == count:
    raise DataError('every class is novel: leave at least one class to '
                    'train on')
  return tuple(c for c in range(1, count + 1) if c not in picked), picked


def novel_classes(dataset: str, fold: int,
                  coco_split: str = 'contiguous') -> tuple[int, ...]:
  """The fold's novel (test) class ids, in 1..20 or 1..80.

  PASCAL-5i: fold i holds 5i+1..5i+5 (the authors' label_sets = i, the
  paper's PASCAL-5^{i+1}). COCO-20i, contiguous (PANet and the SMCP
  authors): 20i+1..20i+20 of the 80 categories in ascending id order;
  interleaved (FWB / PFENet / HSNet): 4k+i+1 for k = 0..19.
  """
  if dataset not in NUM_CLASSES:
    raise DataError(f'unknown dataset {dataset!r}; use one of '
                    f'{sorted(NUM_CLASSES)}')
  if not 0 <= fold < NUM_FOLDS:
    raise DataError(f'fold must be 0..{NUM_FOLDS - 1}, got {fold}')
  per_fold = NUM_CLASSES[dataset] // NUM_FOLDS
  if dataset != 'coco' or coco_split == 'contiguous':
    return tuple(range(per_fold * fold + 1, per_fold * (fold + 1) + 1))
  if coco_split == 'interleaved':
    return tuple(4 * k + fold + 1 for k in range(20))
  raise DataError(f'coco_split must be one of {COCO_SPLITS}, '
                  f'got {coco_split!r}')


def train_classes(dataset: str, fold: int,
                  coco_split: str = 'contiguous') -> tuple[int, ...]:
  novel = set(novel_classes(dataset, fold, coco_split))
  return tuple(c for c in range(1, NUM_CLASSES[dataset] + 1)
               if c not in novel)
