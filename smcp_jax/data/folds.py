# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Class splits of PASCAL-5i and COCO-20i (and the toy set, like PASCAL)."""

from smcp_jax.errors import DataError
from smcp_jax.toy import classes

NUM_FOLDS = 4
NUM_CLASSES = {'pascal': 20, 'toy': classes.NUM_CLASSES, 'coco': 80,
               'fss1000': 1000}  # FSS-1000: split by list files, no folds
COCO_SPLITS = ('contiguous', 'interleaved')
# The TFDS builder of each data set (tfds_builders.py; FSS-1000 has none).
TFDS_NAMES = {'pascal': 'smcp_pascal', 'coco': 'smcp_coco', 'toy': 'smcp_toy'}
PASCAL_CLASSES = (
    'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat',
    'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person',
    'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor')


def class_name(dataset: str, class_id: int) -> str:
  """A readable name for captions ('class N' where none is known)."""
  if dataset == 'pascal' and 1 <= class_id <= 20:
    return PASCAL_CLASSES[class_id - 1]
  if dataset == 'toy':
    return classes.class_name(class_id)
  return f'class {class_id}'


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
