# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Resolving and validating configs: the paper / authors' code switch.

`config.reference` fills every field left unset in configs/base.py (the
(ref) fields) with the paper's or the released code's value. The spec
(shared/reference/smcp_spec.md, section 5) lists the differences.
"""

import importlib.util
import os
import sys

from absl import app
import ml_collections

from smcp_jax.data import folds
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
    'data.dataset': tuple(folds.NUM_CLASSES),
    'data.coco_split': folds.COCO_SPLITS,
    'test.protocol': ('authors', 'val'),
    'test.annotation': ('dense', 'scribble', 'bbox'),
    'test.box_choice': ('random', 'largest'),
    'test.prototype': ('support', 'pseudo', 'fused'),
    'test.empty_pseudo_mask': ('zero', 'support'),
    'model.conv_weight_grad': conv_grad.WEIGHT_GRAD_MODES,
}
POSITIVE = ('train.num_steps', 'train.global_batch', 'train.lr',
            'train.log_every_steps', 'train.checkpoint_every_steps',
            'train.keep_checkpoints', 'data.shots', 'data.image_size',
            'test.episodes', 'test.runs', 'model.width')


class ConfigError(ValueError):
  """A config value that cannot work, named with what is allowed."""


def load_config_file(path: str) -> ml_collections.ConfigDict:
  """`get_config()` of a config file, for CLIs without absl flags."""
  if not os.path.isfile(path):
    raise ConfigError(f'config file {path!r} does not exist (e.g. '
                      'configs/toy.py)')
  spec = importlib.util.spec_from_file_location('_smcp_config', path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config()


def parse_flags(argv):
  """absl's flag parsing, with an unknown `--config.x` field as one clear
  line instead of ml_collections' traceback (pass as app.run's
  flags_parser)."""
  try:
    return app.parse_flags_with_usage(argv)
  except (AttributeError, KeyError) as e:
    overrides = [a.split('=')[0] for a in argv if a.startswith('--config.')]
    # ml_collections nests and escapes its message: "'x'\nDid you mean...".
    lines = str(e).replace('\\n', '\n').replace("\\'", "'").split('\n')
    field = lines[0].strip('\'" ')
    quotes = '\'"'
    hint = ''.join(' ' + line.strip().rstrip(quotes) for line in lines[1:]
                   if line.strip())
    sys.exit(f'error: no config field {field!r} in {overrides}.{hint} The '
             'fields are those of configs/base.py, e.g. '
             '--config.train.num_steps=1000')


def _get(config, dotted):
  section, _, name = dotted.rpartition('.')
  return (config[section] if section else config)[name]


def _set(config, dotted, value):
  section, _, name = dotted.rpartition('.')
  (config[section] if section else config)[name] = value


def resolve(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """A validated copy with every (ref) field filled in."""
  config = ml_collections.ConfigDict(config.to_dict())  # unlocked copy
  if config.reference not in REFERENCES:
    raise ConfigError(f'config.reference must be one of {REFERENCES}, got '
                      f'{config.reference!r}')
  which = REFERENCES.index(config.reference)
  for field, values in REFERENCE_VALUES.items():
    if _get(config, field) is None:
      _set(config, field, values[which])
  if config.model.num_mcl_classes is None:
    config.model.num_mcl_classes = mcl_classes(config)
  validate(config)
  return config


def mcl_classes(config) -> int:
  """Outputs of the multi-class head the labels need: |C_train| + 1 when
  remapped (16 PASCAL, 61 COCO), else all classes + 1 (21, 81)."""
  total = folds.NUM_CLASSES.get(config.data.dataset, 20)
  return total * 3 // 4 + 1 if config.data.mcl_remap else total + 1


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first bad field and what it accepts."""
  for field, allowed in CHOICES.items():
    if _get(config, field) not in allowed:
      raise ConfigError(f'config.{field} must be one of {allowed}, got '
                        f'{_get(config, field)!r}')
  for field in POSITIVE:
    if not _get(config, field) > 0:
      raise ConfigError(f'config.{field} must be > 0, got '
                        f'{_get(config, field)!r}')
  if not 0 <= config.train.warmup_steps < config.train.num_steps:
    raise ConfigError(
        f'config.train.warmup_steps must be 0..train.num_steps - 1 '
        f'({config.train.num_steps - 1}), got {config.train.warmup_steps}')
  if config.train.clip_grad_norm < 0:
    raise ConfigError('config.train.clip_grad_norm must be >= 0 (0 = off), '
                      f'got {config.train.clip_grad_norm}')
  if not 0 <= config.data.fold < folds.NUM_FOLDS:
    raise ConfigError(f'config.data.fold must be 0..{folds.NUM_FOLDS - 1}, '
                      f'got {config.data.fold}')
  expected_mcl = mcl_classes(config)
  if config.model.use_mcl and config.model.num_mcl_classes != expected_mcl:
    raise ConfigError(
        f'config.model.num_mcl_classes={config.model.num_mcl_classes} does '
        f'not fit the labels: data.mcl_remap={config.data.mcl_remap} gives '
        f'{expected_mcl} classes for {config.data.dataset}')
