# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Building the network from a config, loading trained weights into it, and
jitting its methods.

A checkpoint argument may be a params directory (a converted checkpoint of
the authors, or the `params/` a training run exports) or a training workdir
(its latest orbax checkpoint). Configs here are resolved ones
(resolution.resolve).
"""

import dataclasses
import os

from flax import nnx
import jax
import jax.numpy as jnp
import ml_collections

from smcp_jax import errors
from smcp_jax.checkpoints import checkpointing
from smcp_jax.checkpoints import layout
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.config_lib import saved_runs
from smcp_jax.data import folds
from smcp_jax.models import smcp

EXPORT_SUBDIR = layout.EXPORT_SUBDIR
MCL_HEAD = 'mcl_classifier/'  # the multi-class head's parameter names
SAVED_CONFIG = layout.SAVED_CONFIG


def network_dtype(compute_dtype: str):
  """The network's dtype argument for a config's train.compute_dtype."""
  return jnp.bfloat16 if compute_dtype == 'bfloat16' else None


def create_model(config: ml_collections.ConfigDict, *,
                 load_init_from: bool = True) -> smcp.SMCP:
  """The network of a config, seeded by config.seed, with
  `train.init_from` loaded (unless trained weights will replace it)."""
  model = smcp.SMCP(**config.model.to_dict(),
                    dtype=network_dtype(config.train.compute_dtype),
                    rngs=nnx.Rngs(config.seed))
  if load_init_from and config.train.init_from:
    params, meta = params_io.load_params(config.train.init_from)
    if meta['model'].get('width') != config.model.width:
      raise errors.ConfigError(
          f'{config.train.init_from} has width {meta["model"].get("width")}'
          f' but config.model.width is {config.model.width}: start from '
          "random weights with --config.train.init_from='', or give weights "
          'of that width (the toy: python -m smcp_jax.toy.encoder --width)')
    keep = ()
    saved_classes = meta['model'].get('num_mcl_classes')
    if (meta['scope'] == 'full'
        and saved_classes != config.model.num_mcl_classes):
      # Another data set or split: the multi-class head starts anew.
      keep = (MCL_HEAD,)
      params = {k: v for k, v in params.items() if not k.startswith(keep)}
      print(f'init_from {config.train.init_from}: its multi-class head has '
            f'{saved_classes} outputs, these labels need '
            f'{config.model.num_mcl_classes}; the head starts from random '
            'weights, everything else loads', flush=True)
    params_io.assign_params(model, params, scope=meta['scope'], keep=keep)
  return model


def _check_network(saved_model: dict, config, checkpoint: str) -> None:
  saved_runs.check_compatible(
      {'model': saved_model}, config, saved_runs.NETWORK_FIELDS,
      subject=f'{checkpoint} was made for another network')


def _trained_params(checkpoint: str):
  """A params directory's (params, meta), refused when it holds an encoder
  alone: random heads would segment at random."""
  params, meta = params_io.load_params(checkpoint)
  if meta['scope'] != 'full':
    raise errors.ConfigError(
        f'{checkpoint} holds only an encoder (scope {meta["scope"]}), not a '
        'trained SMCP network: use it to start training, '
        f'--config.train.init_from={checkpoint}')
  return params, meta


def load_model(config: ml_collections.ConfigDict, checkpoint: str):
  """(model, description) with trained weights from `checkpoint`."""
  if not os.path.exists(checkpoint):
    raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
  model = create_model(config, load_init_from=False)
  if os.path.isfile(os.path.join(checkpoint, params_io.PARAMS_FILE)):
    params, meta = _trained_params(checkpoint)
    _check_network(meta['model'], config, checkpoint)
    params_io.assign_params(model, params, scope=meta['scope'])
    return model, f'{checkpoint} ({meta.get("source", "params")})'
  saved_config = os.path.join(checkpoint, SAVED_CONFIG)
  if not os.path.isfile(saved_config):
    raise FileNotFoundError(
        f'{checkpoint!r} is neither a params directory (params.msgpack) nor '
        'a training workdir (config.json + checkpoints/)')
  saved = resolution.resolve(saved_runs.read_saved_config(saved_config))
  _check_network(saved.model, config, checkpoint)
  export = os.path.join(checkpoint, EXPORT_SUBDIR)
  if saved.train.average_last_steps and os.path.isfile(
      os.path.join(export, params_io.PARAMS_FILE)):
    # A finished run's export holds the tail mean, not the last step's.
    params, _ = _trained_params(export)
    params_io.assign_params(model, params)
    return model, (f'{export} (the mean of the last '
                   f'{saved.train.average_last_steps} steps)')
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
  class_names: tuple[str, ...] = ()  # its data set's classes 1..N, if known


# A params directory that does not say (the authors' test settings).
DEFAULT_INFERENCE = {'image_size': 417, 'empty_pseudo_mask': 'zero'}


def inference_settings(config: ml_collections.ConfigDict) -> dict:
  """What an exported params directory records of its run (model.json's
  'inference'), so that it predicts the same wherever it is copied."""
  return {'image_size': config.data.image_size,
          'empty_pseudo_mask': config.test.empty_pseudo_mask,
          'class_names': folds.known_class_names(config.data)}


def load_for_inference(checkpoint: str, config=None,
                       compute_dtype: str | None = None):
  """(model, InferenceSetup) from a checkpoint alone, or with a resolved
  config.

  Without a config, a training workdir gives its config.json, and a params
  directory its model.json (an export from before model.json said: its
  run's config.json beside it; otherwise the paper's 417x417 input).
  `compute_dtype` ('float32' or 'bfloat16') replaces the config's
  train.compute_dtype (parameters stay float32).
  """
  if not os.path.exists(checkpoint):
    raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
  is_params = params_io.holds_params(checkpoint)
  workdir_config = os.path.join(checkpoint, SAVED_CONFIG)
  if config is None and not is_params and os.path.isfile(workdir_config):
    config = saved_runs.read_saved_config(workdir_config)
  if config is not None:
    if compute_dtype:
      config = ml_collections.ConfigDict(config.to_dict())
      config.train.compute_dtype = compute_dtype
    config = resolution.resolve(config)
    model, source = load_model(config, checkpoint)
    return model, InferenceSetup(**inference_settings(config), source=source)
  params, meta = _trained_params(checkpoint)
  model = smcp.SMCP(**meta['model'], dtype=network_dtype(compute_dtype),
                    rngs=nnx.Rngs(0))
  params_io.assign_params(model, params, scope=meta['scope'])
  settings = meta.get('inference') or _settings_beside_export(checkpoint)
  settings = {**DEFAULT_INFERENCE, **settings}
  settings['class_names'] = tuple(settings.get('class_names', ()))
  return model, InferenceSetup(
      **settings, source=f'{checkpoint} ({meta.get("source", "params")})')


def _settings_beside_export(checkpoint: str) -> dict:
  """An older export's settings, from its run's config.json beside it."""
  path = os.path.join(checkpoint, os.pardir, SAVED_CONFIG)
  if os.path.basename(os.path.normpath(checkpoint)) != EXPORT_SUBDIR or (
      not os.path.isfile(path)):
    return {}
  return inference_settings(saved_runs.read_saved_config(path))


def jit_method(graphdef: nnx.GraphDef, method, **kwargs):
  """`method(model, *args, **kwargs)` jitted over (params, *args), the
  model rebuilt from `graphdef` and params inside the trace; e.g.
  jit_method(graphdef, smcp.SMCP.infer, mode='fused')(params, s, m, q)."""
  return jax.jit(lambda params, *args: method(nnx.merge(graphdef, params),
                                              *args, **kwargs))
