# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Building the network from a config, and loading trained weights into it.

A checkpoint argument may be a params directory (a converted checkpoint of
the authors, or the `params/` a training run exports) or a training workdir
(its latest orbax checkpoint).
"""

import dataclasses
import json
import os

from flax import nnx
import jax.numpy as jnp
import ml_collections

from configs import base
from smcp_jax import checkpointing
from smcp_jax import config_lib
from smcp_jax import params_io
from smcp_jax.models import smcp

EXPORT_SUBDIR = 'params'  # where a training run exports its final params
# Constructor arguments that change the parameters (a mismatch cannot load).
ARCHITECTURE_KEYS = ('width', 'num_mcl_classes', 'use_mcl', 'use_pff',
                     'pff_extra_convs')


def create_model(config: ml_collections.ConfigDict, seed: int) -> smcp.SMCP:
  """The network of a resolved config, with `train.init_from` loaded."""
  dtype = jnp.bfloat16 if config.train.compute_dtype == 'bfloat16' else None
  model = smcp.SMCP(**config.model.to_dict(), dtype=dtype,
                    rngs=nnx.Rngs(seed))
  if config.train.init_from:
    params, meta = params_io.load_params(config.train.init_from)
    if meta['model'].get('width') != config.model.width:
      raise config_lib.ConfigError(
          f'{config.train.init_from} has width {meta["model"].get("width")}'
          f' but config.model.width is {config.model.width}')
    params_io.assign_params(model, params, scope=meta['scope'])
  return model


def read_json(path: str) -> dict:
  with open(path) as f:
    return json.load(f)


def _check_architecture(saved: dict, config, where: str) -> None:
  diff = {k: (saved.get(k), config.model.get(k)) for k in ARCHITECTURE_KEYS
          if k in saved and saved.get(k) != config.model.get(k)}
  if diff:
    fixes = ' '.join(f'--config.model.{k}={v[0]}' for k, v in diff.items())
    raise config_lib.ConfigError(
        f'{where} was made for another network: '
        + ', '.join(f'{k}={v[0]} (config: {v[1]})' for k, v in diff.items())
        + f'. Use the matching config or add: {fixes}'
        + (' (or --config.reference=authors_code for the authors\' '
           'checkpoints)' if saved.get('pff_extra_convs') else ''))


def load_model(config: ml_collections.ConfigDict, checkpoint: str):
  """(model, description) with trained weights from `checkpoint`."""
  if not os.path.exists(checkpoint):
    raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
  model = create_model(config, config.seed)
  if os.path.isfile(os.path.join(checkpoint, params_io.PARAMS_FILE)):
    params, meta = params_io.load_params(checkpoint)
    _check_architecture(meta['model'], config, checkpoint)
    params_io.assign_params(model, params, scope=meta['scope'])
    return model, f'{checkpoint} ({meta.get("source", "params")})'
  saved_config = os.path.join(checkpoint, 'config.json')
  if not os.path.isfile(saved_config):
    raise FileNotFoundError(
        f'{checkpoint!r} is neither a params directory (params.msgpack) nor '
        'a training workdir (config.json + checkpoints/)')
  _check_architecture(read_json(saved_config)['model'], config, checkpoint)
  step, params = checkpointing.restore_params(
      checkpoint, nnx.state(model, nnx.Param))
  nnx.update(model, params)
  return model, f'{checkpoint} (step {step})'


@dataclasses.dataclass(frozen=True)
class InferenceSetup:
  """How a checkpoint's network wants its inputs."""
  image_size: int  # the square side it was trained at
  empty_pseudo_mask: str  # config.test.empty_pseudo_mask
  source: str  # the description load_model gives


def load_for_inference(checkpoint: str, config=None):
  """(model, InferenceSetup) from a checkpoint alone, or with a config.

  Without a config, a training workdir gives its config.json; a params
  directory gives its model.json (and its run's config.json when it is a
  run's export), with the paper's 417x417 input otherwise.
  """
  if not os.path.exists(checkpoint):
    raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
  if config is None:
    config = _saved_config(checkpoint)
  if config is not None:
    config = config_lib.resolve(config)
    model, source = load_model(config, checkpoint)
    return model, InferenceSetup(config.data.image_size,
                                 config.test.empty_pseudo_mask, source)
  params, meta = params_io.load_params(checkpoint)
  model = smcp.SMCP(**meta['model'], rngs=nnx.Rngs(0))
  params_io.assign_params(model, params, scope=meta['scope'])
  return model, InferenceSetup(417, 'zero',
                               f'{checkpoint} ({meta.get("source", "params")})')


def _saved_config(checkpoint: str):
  paths = [os.path.join(checkpoint, 'config.json')]
  if os.path.basename(os.path.normpath(checkpoint)) == EXPORT_SUBDIR:
    paths.append(os.path.join(checkpoint, os.pardir, 'config.json'))
  for path in paths:
    if os.path.isfile(path):
      return read_saved_config(path)
  return None


def read_saved_config(path: str) -> ml_collections.ConfigDict:
  """A run's config.json over today's defaults, so that runs saved before a
  field existed read with the value it had then (its default)."""
  config = base.get_config()
  config.update(ml_collections.ConfigDict(read_json(path)))
  return config
