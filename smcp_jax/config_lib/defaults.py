# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Every config field, with the paper's settings as defaults.

The configs in configs/ start from these. Fields marked (ref) are left
unset here and filled by `config.reference`: 'paper' (default) or
'authors_code' (the released PyTorch code's behaviour, see config_lib);
setting such a field yourself wins. Fields left '' take the value their
comment names when the config is resolved.
"""

import ml_collections
from ml_collections.config_dict import placeholder


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 1234  # the authors' seed; test run r uses seed + r
  config.reference = 'paper'  # 'paper' | 'authors_code': fills (ref) fields

  config.train = train = ml_collections.ConfigDict()
  train.num_steps = 40000  # the authors' 40k iterations
  train.global_batch = 1  # episodes per step over all devices (COCO: 4)
  train.optimizer = 'sgd'  # the paper's; 'adam' for random-init training
  train.lr = 2.5e-4
  train.momentum = 0.9
  train.weight_decay = placeholder(float)  # (ref) paper 1e-4, authors 5e-4
  train.lr_schedule = placeholder(str)  # (ref) 'poly' (paper) | 'constant'
  train.lr_power = 0.9  # polynomial decay power
  train.warmup_steps = 0  # linear lr warm-up (not in the paper: 0)
  train.clip_grad_norm = 0.0  # clip the gradient's global norm; 0 = off
  train.average_last_steps = 0  # export the mean params of the last N steps
  train.skip_nonfinite = False  # skip NaN/Inf steps instead of stopping
  train.lambda_mcl = 0.1  # weight of the multi-class loss, eq. 5
  train.self_prototype = True  # the self-prototype branch (SPT, Table V)
  train.freeze_encoder = False  # Table VII: train the heads only
  train.backbone_lr_scale = 1.0  # lr of the pretrained VGG convs / lr
  train.init_from = ''  # converted ImageNet VGG-16 params dir; '' = random
  train.compute_dtype = 'float32'  # 'bfloat16' on GPU / TPU
  train.log_every_steps = 50
  train.checkpoint_every_steps = 1000
  train.keep_checkpoints = 3
  train.eval_every_steps = 0  # periodic novel-class mIoU; 0 = off
  train.eval_episodes = 200  # episodes of that periodic evaluation
  # Model selection on held-out images of the training classes (never the
  # test fold's novel classes): validation every N steps, 0 = off. When on,
  # data.val_fraction of the training split is held out of training.
  train.val_every_steps = 0
  train.val_episodes = 200
  train.keep_best = False  # export the best-validated params to WORKDIR/best

  config.data = data = ml_collections.ConfigDict()
  data.dataset = 'pascal'  # 'pascal' | 'coco' | 'toy' | 'custom' (yours,
  # docs/custom_data.md) | 'fss1000' (test)
  data.root = 'data/VOCdevkit/VOC2012'  # VOC2012 folder, or the COCO root
  data.split_dir = ''  # FSS-1000: folder of trn.txt, val.txt, test.txt
  data.source = 'files'  # 'files': data.root | 'tfds': python -m
  # smcp_jax.prepare's data set in tfds_data_dir (a folder or gs://)
  data.tfds_data_dir = ''
  data.tfds_name = ''  # '' = smcp_pascal / smcp_coco / smcp_toy by dataset
  data.fold = 0  # novel classes: PASCAL 5i+1..5i+5, COCO per coco_split
  data.novel_classes = ''  # custom: novel classes, 'name,name' or ids
  data.folds = 0  # custom: instead, an N-fold split (data.fold picks one)
  data.coco_split = 'contiguous'  # COCO: 'contiguous' (authors) | 'interleaved'
  data.shots = 1
  data.image_size = 417
  data.min_area = 0  # pixels of a class for an image to be listed (PFENet 2048)
  data.train_split = 'trainaug'  # COCO: 'train2014'
  data.val_fraction = 0.1  # held-out share (train.val_every_steps > 0)
  data.flip = True  # random horizontal flip in training, per image
  data.support_ignore_boundary = placeholder(bool)  # (ref) authors: 255->bg
  data.mcl_remap = placeholder(bool)  # (ref) paper 1..|C_train|; authors ids
  data.class_index_cache = ''  # '' = ~/.cache/smcp_jax/class_index

  config.test = test = ml_collections.ConfigDict()
  # A protocol sets every field below left unset ('', 0, -1) as its
  # codebase does (data/protocols.py); a value set here or by a flag wins.
  test.protocol = 'authors'  # 'authors' | 'pfenet' | 'hsnet' | 'bam'
  test.split = ''  # test images: 'trainaug' | 'val' | 'val2014' | ...
  test.label_resolution = ''  # scored label: 'resized' | 'original'
  test.episodes = 0  # episodes per run
  test.runs = 0  # runs, one seed each
  test.seeds = ''  # '1234,1235': one per run
  test.image_size = 0  # network input side at test time
  test.resize = ''  # 'squash' to a square | 'pad': long side, pasted
  test.min_area = -1  # pixels of the class for a query / support image
  test.query_order = ''  # 'random' | 'sequential' (each image) | 'pairs'
  test.label_nearest = ''  # labels' nearest resize: 'pil' | 'torch' | 'cv2'
  test.scoring = ''  # episodes a class counts: 'present' (its label holds
  #                    it, PANet) | 'every' (PFENet, HSNet, BAM)
  test.upsample = ''  # logits to the scored label: 'half_pixel' | 'corners'
  test.ways = 1  # N-way episodes (PANet's; the 'random' query order)
  test.annotation = 'dense'  # support annotation: 'dense'|'scribble'|'bbox'
  test.box_choice = 'random'  # paper: random instance; authors: 'largest'
  test.prototype = 'fused'  # 'support' | 'pseudo' | 'fused' (Table VI)
  test.empty_pseudo_mask = 'zero'  # authors' code (fused halves p_s) |
                                   # 'support' (fall back to p_s)

  config.model = model = ml_collections.ConfigDict()
  model.width = 1.0
  model.num_mcl_classes = placeholder(int)  # (ref) |C_train|+1; authors 21/81
  model.use_mcl = True
  model.use_pff = True
  model.pff_extra_convs = placeholder(bool)  # (ref) authors' code: True
  model.support_branch_uses_pff = placeholder(bool)  # (ref) authors: False
  model.conv_weight_grad = 'auto'  # 'auto' | 'xla' | 'patch_matmul': speed
                                   # only (smcp_jax/ops/conv_grad.py)
  model.dilated_conv = 'xla'  # 'xla' | 'phases': speed only, the same values
                             # (smcp_jax/ops/dilated_phases.py)
  model.conv3x3 = 'auto'  # 'auto' | 'direct' | 'winograd': speed (and memory)
                          # only, the same values (smcp_jax/ops/winograd.py)
  return config
