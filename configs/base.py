# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Fields shared by every config, with the paper's settings as defaults.

Where the authors' code differs from the paper, the default follows the
paper and the field's comment names the code's value.
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 1234  # the authors' seed; test run r uses seed + r

  config.data = data = ml_collections.ConfigDict()
  data.dataset = 'pascal'  # 'pascal' | 'coco' | 'toy'
  data.root = 'data/VOCdevkit/VOC2012'  # VOC2012 folder, or the COCO root
  data.fold = 0  # novel classes: PASCAL 5i+1..5i+5, COCO per coco_split
  data.coco_split = 'contiguous'  # COCO: 'contiguous' (authors) | 'interleaved'
  data.shots = 1
  data.image_size = 417
  data.min_area = 0  # pixels of a class for an image to be listed (PFENet 2048)
  data.train_split = 'trainaug'  # COCO: 'train2014'
  data.flip = True  # random horizontal flip in training, per image
  data.support_ignore_boundary = True  # authors' code: False (255 -> bg)
  data.mcl_remap = True  # paper: 1..|C_train|; authors' code: False (21-way)
  data.class_index_cache = ''  # '' = ~/.cache/smcp_jax/class_index

  config.test = test = ml_collections.ConfigDict()
  test.protocol = 'authors'  # 'authors': trainaug episodes, resized label;
                             # 'val': VOC val / COCO val2014, original size
  test.split = ''  # '' = the protocol's split
  test.label_resolution = ''  # '' = the protocol's: 'resized' | 'original'
  test.episodes = 1000
  test.runs = 5
  test.annotation = 'dense'  # support annotation: 'dense'|'scribble'|'bbox'
  test.box_choice = 'random'  # paper: random instance; authors: 'largest'

  config.model = model = ml_collections.ConfigDict()
  model.width = 1.0
  model.num_mcl_classes = 16  # |C_train| + 1; authors' code: 21 (COCO 81)
  model.use_mcl = True
  model.use_pff = True
  model.pff_extra_convs = False  # authors' code: True
  model.support_branch_uses_pff = True  # authors' code: False
  return config


def pascal(fold: int) -> ml_collections.ConfigDict:
  """PASCAL-5^fold with the paper's settings."""
  config = get_config()
  config.data.fold = fold
  return config


def coco(fold: int) -> ml_collections.ConfigDict:
  """COCO-20^fold (train2014; tests on val2014) with the paper's settings."""
  config = get_config()
  config.data.dataset = 'coco'
  config.data.root = 'data/coco'
  config.data.fold = fold
  config.data.train_split = 'train2014'
  config.model.num_mcl_classes = 61  # |C_train| + 1; authors' code: 81
  return config
