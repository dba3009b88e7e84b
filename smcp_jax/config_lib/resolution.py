# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Resolving and validating configs, once, at each entry point.

`resolve` returns a frozen config with every field filled in: the (ref)
fields from `config.reference` (the paper's or the released code's value;
docs/model.md and docs/training.md list the differences), the MCL
head size, and the test fields that `test.protocol` sets (data/protocols.py)
where they are left unset.
Library code takes that resolved config and never resolves again.
"""

import ml_collections

from smcp_jax import errors
from smcp_jax.data import folds
from smcp_jax.data import protocols
from smcp_jax.data.pipeline import transforms
from smcp_jax.data.pipeline import weak
from smcp_jax.models import smcp
from smcp_jax.ops import conv_grad

# field -> (paper, authors' code)
REFERENCE_VALUES = {
    'train.weight_decay': (1e-4, 5e-4),
    'train.lr_schedule': ('poly', 'constant'),  # their MultiStepLR never fires
    'model.pff_extra_convs': (False, True),
    'model.support_branch_uses_pff': (True, False),
    'data.support_ignore_boundary': (True, False),
    'data.mcl_remap': (True, False),
}
REFERENCES = ('paper', 'authors_code')
CHOICES = {
    'reference': REFERENCES,
    'train.lr_schedule': ('poly', 'constant'),
    'train.optimizer': ('sgd', 'adam'),
    'train.compute_dtype': ('float32', 'bfloat16'),
    'data.dataset': folds.DATASETS,
    'data.coco_split': folds.COCO_SPLITS,
    'data.source': ('files', 'tfds'),
    'test.protocol': protocols.NAMES,
    'test.label_resolution': protocols.LABEL_RESOLUTIONS,
    'test.resize': protocols.RESIZES,
    'test.query_order': protocols.QUERY_ORDERS,
    'test.label_nearest': transforms.NEAREST_RULES,
    'test.scoring': protocols.SCORINGS,
    'test.upsample': protocols.UPSAMPLINGS,
    'test.annotation': weak.ANNOTATIONS,
    'test.box_choice': weak.BOX_CHOICES,
    'test.prototype': smcp.PROTOTYPE_MODES,
    'test.empty_pseudo_mask': smcp.EMPTY_PSEUDO_MASK_OPTIONS,
    'model.conv_weight_grad': conv_grad.WEIGHT_GRAD_MODES,
    'model.dilated_conv': conv_grad.DILATED_MODES,
    'model.conv3x3': conv_grad.CONV3X3_MODES,
}
POSITIVE = ('train.num_steps', 'train.global_batch', 'train.lr',
            'train.log_every_steps', 'train.checkpoint_every_steps',
            'train.keep_checkpoints', 'data.shots', 'data.image_size',
            'test.episodes', 'test.runs', 'test.image_size', 'test.ways',
            'model.width')



def get_field(config, dotted):
  """The field's value, None where the config (or a section) lacks it."""
  *sections, name = dotted.split('.')
  for section in sections:
    config = config.get(section) or {}
  return config.get(name)


def set_field(config, dotted, value):
  section, _, name = dotted.rpartition('.')
  (config[section] if section else config)[name] = value


def resolve(config: ml_collections.ConfigDict
            ) -> ml_collections.FrozenConfigDict:
  """A validated, frozen copy with every derived field filled in."""
  config = ml_collections.ConfigDict(config.to_dict())  # unlocked copy
  if config.reference not in REFERENCES:
    raise errors.ConfigError(f'config.reference must be one of {REFERENCES}, '
                             f'got {config.reference!r}')
  which = REFERENCES.index(config.reference)
  for field, values in REFERENCE_VALUES.items():
    if get_field(config, field) is None:
      set_field(config, field, values[which])
  if config.data.source == 'tfds' and not config.data.tfds_name:
    config.data.tfds_name = folds.TFDS_NAMES.get(config.data.dataset, '')
  if config.model.num_mcl_classes is None:
    if config.data.dataset == 'fss1000':
      raise errors.ConfigError(
          'FSS-1000 evaluates a network trained on another data set: set '
          'config.model.num_mcl_classes to its multi-class head size (16 for '
          'PASCAL-5i, 61 for COCO-20i; 21 / 81 for the authors\' checkpoints)')
    config.model.num_mcl_classes = mcl_classes(config)
  if config.test.protocol in protocols.NAMES:
    for field, value in protocol_defaults(config).items():
      if config.test[field] == protocols.UNSET[field]:
        config.test[field] = value
  validate(config)
  return ml_collections.FrozenConfigDict(config)


def protocol_defaults(config) -> dict:
  """The test.* values of config.test.protocol for this config; explicit
  test.seeds (their count) or test.runs decide the number of runs."""
  test = config.test
  try:
    runs = len(protocols.parse_seeds(test.seeds)) if test.seeds else test.runs
    return protocols.defaults(test.protocol, config.data.dataset,
                              image_size=config.data.image_size,
                              seed=config.seed, runs=max(runs, 0))
  except ValueError as e:
    raise errors.ConfigError(str(e)) from None


def mcl_classes(config) -> int:
  """Outputs of the multi-class head the labels need: |C_train| + 1 when
  remapped (16 PASCAL, 61 COCO), else all classes + 1 (21, 81); a custom
  data set's from its classes.txt and split."""
  data = config.data
  if data.dataset == 'custom':
    names = folds.custom_names(data)
    train, _ = folds.custom_split(names, data.novel_classes, data.folds,
                                  data.fold)
    total, trained = len(names), len(train)
  else:
    total = folds.NUM_CLASSES.get(data.dataset, 20)
    trained = total * 3 // 4
  return trained + 1 if data.mcl_remap else total + 1


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first bad field and what it accepts."""
  for field, allowed in CHOICES.items():
    if get_field(config, field) not in allowed:
      raise errors.ConfigError(f'config.{field} must be one of {allowed}, got '
                               f'{get_field(config, field)!r}')
  for field in POSITIVE:
    if not get_field(config, field) > 0:
      raise errors.ConfigError(f'config.{field} must be > 0, got '
                               f'{get_field(config, field)!r}')
  if not 0 <= config.train.warmup_steps < config.train.num_steps:
    fit = min(max(config.train.warmup_steps, 0), config.train.num_steps - 1)
    raise errors.ConfigError(
        f'config.train.warmup_steps must be 0..train.num_steps - 1 '
        f'({config.train.num_steps - 1}), got {config.train.warmup_steps}: '
        f'add --config.train.warmup_steps={fit}')
  if not 0 <= config.train.average_last_steps <= config.train.num_steps:
    raise errors.ConfigError(
        'config.train.average_last_steps must be 0 (off) .. train.num_steps '
        f'({config.train.num_steps}), got {config.train.average_last_steps}')
  if config.train.backbone_lr_scale < 0:
    raise errors.ConfigError('config.train.backbone_lr_scale must be >= 0 '
                             f'(1 = the paper), got '
                             f'{config.train.backbone_lr_scale}')
  if config.train.clip_grad_norm < 0:
    raise errors.ConfigError('config.train.clip_grad_norm must be >= 0 '
                             f'(0 = off), got {config.train.clip_grad_norm}')
  try:
    seeds = protocols.parse_seeds(config.test.seeds)
  except ValueError as e:
    raise errors.ConfigError(str(e)) from None
  if len(seeds) != config.test.runs:
    raise errors.ConfigError(f'config.test.runs={config.test.runs} but '
                             f'config.test.seeds has {len(seeds)} seeds '
                             f'({config.test.seeds}); set one of them')
  if config.data.source == 'tfds':
    if config.data.dataset == 'fss1000':
      raise errors.ConfigError("FSS-1000 has no TFDS builder: use "
                               "config.data.source='files'")
    if not config.data.tfds_data_dir:
      raise errors.ConfigError(
          "config.data.source='tfds' needs config.data.tfds_data_dir: the "
          'folder python -m smcp_jax.prepare wrote')
  if config.train.keep_best and not config.train.val_every_steps > 0:
    raise errors.ConfigError('config.train.keep_best needs validation: set '
                             'config.train.val_every_steps > 0')
  if config.train.val_every_steps and not 0 < config.data.val_fraction < 1:
    raise errors.ConfigError('config.data.val_fraction must be in (0, 1), got '
                             f'{config.data.val_fraction}')
  if config.train.val_every_steps < 0 or config.train.val_episodes < 1:
    raise errors.ConfigError('config.train.val_every_steps must be >= 0 and '
                             'config.train.val_episodes >= 1')
  if config.test.ways > 1 and config.test.query_order != 'random':
    raise errors.ConfigError(
        f'config.test.ways={config.test.ways}: N-way episodes are PANet\'s, '
        f'drawn in the random query order; the {config.test.protocol} '
        f'protocol orders queries {config.test.query_order!r} (use '
        '--config.test.protocol=authors, or set test.query_order=random)')
  if config.test.min_area < 0:
    raise errors.ConfigError('config.test.min_area must be >= 0, got '
                             f'{config.test.min_area}')
  if config.data.dataset == 'custom':
    if config.data.train_split not in folds.CUSTOM_SPLITS:
      raise errors.ConfigError(
          f'config.data.train_split={config.data.train_split!r}: a custom '
          f'data set\'s splits are {list(folds.CUSTOM_SPLITS)} '
          '(configs/custom.py sets train)')
  elif not 0 <= config.data.fold < folds.NUM_FOLDS:
    raise errors.ConfigError(
        f'config.data.fold must be 0..{folds.NUM_FOLDS - 1}, got '
        f'{config.data.fold}')
  expected_mcl = mcl_classes(config)
  if (config.model.use_mcl and config.data.dataset != 'fss1000'
      and config.model.num_mcl_classes != expected_mcl):
    raise errors.ConfigError(
        f'config.model.num_mcl_classes={config.model.num_mcl_classes} does '
        f'not fit the labels: data.mcl_remap={config.data.mcl_remap} gives '
        f'{expected_mcl} classes for {config.data.dataset}')
