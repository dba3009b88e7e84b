# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A run's saved config: reading it back so that resolving derives its
fields anew, and checking that a checkpoint fits the config it is used with.
"""

import json

import ml_collections

from smcp_jax import errors
from smcp_jax.config_lib import defaults
from smcp_jax.config_lib import resolution
from smcp_jax.data import protocols

# The fields that shape the parameters: a checkpoint loads only into a
# network built with the same values.
NETWORK_FIELDS = ('model.width', 'model.num_mcl_classes', 'model.use_mcl',
                  'model.use_pff', 'model.pff_extra_convs')
# ... and those that shape the rest of the checkpointed training state. A
# clipping threshold changes nothing there; clipping on or off does.
TRAIN_STATE_FIELDS = NETWORK_FIELDS + (
    'train.optimizer', 'train.freeze_encoder', 'train.skip_nonfinite',
    'train.clip_grad_norm', 'train.backbone_lr_scale')
_COMPARED_AS = {'train.clip_grad_norm': bool,
                'train.backbone_lr_scale': lambda scale: scale != 1.0}


def read_saved_config(path: str) -> ml_collections.ConfigDict:
  """A run's config.json as it was written: over today's defaults (so that
  a run saved before a field existed reads with the value it had then),
  with each derived value that equals what its source gives unset again,
  so that resolving after an override (--config.test.protocol=val,
  --config.reference=...) derives it anew."""
  with open(path) as f:
    saved = json.load(f)
  config = defaults.get_config()
  config.update(ml_collections.ConfigDict(saved))
  if config.model.num_mcl_classes == resolution.mcl_classes(config):
    config.model.num_mcl_classes = None
  if config.reference in resolution.REFERENCES:
    which = resolution.REFERENCES.index(config.reference)
    for field, values in resolution.REFERENCE_VALUES.items():
      if resolution.get_field(config, field) == values[which]:
        resolution.set_field(config, field, None)
  if config.test.protocol in protocols.NAMES:
    own = protocols.defaults(config.test.protocol, config.data.dataset,
                             image_size=config.data.image_size,
                             seed=config.seed)
    for field, value in own.items():
      if config.test.get(field) == value:
        config.test[field] = protocols.UNSET[field]
  return config


def check_compatible(saved, config, fields, *, subject: str,
                     alternative: str = '') -> None:
  """Does a saved run or network fit this config? Raises errors.ConfigError that
  lists each differing field and the overrides that would make it fit.

  Args:
    saved: the config (or its 'model' section alone, as a params
      directory's model.json holds) the checkpoint was made with; fields it
      lacks are not compared.
    config: the resolved config it is meant to be used with.
    fields: dotted names to compare (NETWORK_FIELDS, TRAIN_STATE_FIELDS).
    subject: what does not fit, as the message's start.
    alternative: another way out, offered after the overrides.
  """
  differ = {}
  for field in fields:
    before = resolution.get_field(saved, field)
    now = resolution.get_field(config, field)
    compare = _COMPARED_AS.get(field, lambda v: v)
    if before is not None and compare(before) != compare(now):
      differ[field] = before
  if not differ:
    return
  listed = '; '.join(
      f'{field}: {before} (saved) vs {resolution.get_field(config, field)} '
      '(config)' for field, before in differ.items())
  fixes = ' '.join(f'--config.{field}={before}'
                   for field, before in differ.items())
  others = [alternative] if alternative else []
  if differ.get('model.pff_extra_convs'):
    # The authors' checkpoints differ in several linked fields (the PFF's
    # extra convs, the 21/81-way head): the one switch that sets them all.
    raise errors.ConfigError(
        f'{subject} ({listed}). For the authors\' checkpoints add '
        '--config.reference=authors_code; or use the matching config'
        + ''.join(f'; or {o}' for o in others) + '.')
  raise errors.ConfigError(
      f'{subject} ({listed}). Use the matching config or add: {fixes}'
      + ''.join(f'; or {o}' for o in others) + '.')
