# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Shared helpers for reading PyTorch checkpoints into smcp-jax parameters."""

import os

from absl import flags
from flax import nnx
import numpy as np
import torch

from smcp_jax import errors
from smcp_jax.checkpoints import params_io
from smcp_jax.models import smcp


class ConversionError(errors.UserError):
  """A checkpoint that cannot be converted, with the offending keys."""


def load_state_dict(path: str) -> dict[str, np.ndarray]:
  """Reads a .pth state dict; strips DataParallel's 'module.' prefix."""
  if not os.path.isfile(path):
    raise FileNotFoundError(f'checkpoint not found: {path!r}')
  try:
    obj = torch.load(path, map_location='cpu', weights_only=True)
  except Exception as e:  # pickle, zip and torch errors all mean "unreadable"
    raise ConversionError(f'{path!r} is not a readable PyTorch checkpoint '
                          f'({type(e).__name__}: {e})') from e
  for wrapper in ('state_dict', 'model'):
    if isinstance(obj, dict) and isinstance(obj.get(wrapper), dict):
      obj = obj[wrapper]
  if not isinstance(obj, dict) or not all(
      isinstance(v, torch.Tensor) for v in obj.values()):
    raise ConversionError(f'{path!r} does not hold a state dict of tensors')
  return {k.removeprefix('module.'): v.detach().float().numpy()
          for k, v in obj.items()}


def expected_param_shapes(model_config: dict) -> dict[str, tuple]:
  """Flat parameter shapes of the SMCP model for a config, without compute."""
  abstract = nnx.eval_shape(lambda: smcp.SMCP(**model_config,
                                              rngs=nnx.Rngs(0)))
  return {k: tuple(v.shape) for k, v in params_io.model_params(abstract).items()}


def convert(state: dict[str, np.ndarray], conv_map: dict[str, str],
            expected: dict[str, tuple], ignored_prefixes=()) -> dict:
  """Maps torch convs to flax paths and checks every key and shape.

  Args:
    state: torch state dict (numpy), OIHW kernels.
    conv_map: torch module prefix -> flax module path (e.g. 'features.0' ->
      'encoder/conv1_1'); each has a weight and a bias.
    expected: flat flax shapes the result must have exactly.
    ignored_prefixes: torch keys dropped on purpose (e.g. VGG's classifier).

  Returns:
    flat flax params: HWIO kernels and biases.

  Raises:
    ConversionError: listing missing, unexpected and wrongly shaped keys.
  """
  wanted = {}
  for torch_prefix, flax_path in conv_map.items():
    kh, kw, cin, cout = expected[f'{flax_path}/kernel']
    wanted[f'{torch_prefix}.weight'] = (cout, cin, kh, kw)
    wanted[f'{torch_prefix}.bias'] = (cout,)
  given = {k: v.shape for k, v in state.items()
           if not k.startswith(tuple(ignored_prefixes))}
  problem = params_io.describe_mismatch(wanted, given, 'the state dict')
  if problem:
    raise ConversionError(problem)
  params = {}
  for torch_prefix, flax_path in conv_map.items():
    params[f'{flax_path}/kernel'] = np.transpose(
        state[f'{torch_prefix}.weight'], (2, 3, 1, 0))
    params[f'{flax_path}/bias'] = state[f'{torch_prefix}.bias']
  problem = params_io.describe_mismatch(
      expected, {k: v.shape for k, v in params.items()}, 'the converted params')
  if problem:
    raise ConversionError(problem)
  return params


def infer_width(state: dict[str, np.ndarray], first_conv: str) -> float:
  """The width multiplier from conv1_1's output channels (64 at width 1)."""
  key = f'{first_conv}.weight'
  if key not in state:
    raise ConversionError(f'missing key {key!r}: not a VGG-16 state dict')
  return state[key].shape[0] / 64


def define_flags() -> flags.FlagValues:
  """The converters' flags: --pth FILE --out DIR [--overwrite]."""
  flag_values = flags.FlagValues()
  flags.DEFINE_string('pth', None, 'PyTorch .pth file', required=True,
                      flag_values=flag_values)
  flags.DEFINE_string('out', None, 'output params directory', required=True,
                      flag_values=flag_values)
  flags.DEFINE_bool('overwrite', False, 'replace the params already in --out',
                    flag_values=flag_values)
  return flag_values


def convert_file(flag_values: flags.FlagValues, *, convert_state_dict,
                 scope: str, source: str,
                 inference: dict | None = None) -> None:
  """Converts --pth, checks it and writes the params directory --out."""
  pth, out = flag_values.pth, flag_values.out
  if params_io.holds_params(out) and not flag_values.overwrite:
    raise errors.UserError(f'{out} already holds params; pass --overwrite to '
                           'replace them, or choose another --out')
  params, model_config = convert_state_dict(load_state_dict(pth))
  params_io.save_params(out, params, model_config=model_config, scope=scope,
                        source=f'{source}:{pth}', inference=inference)
  print(f'wrote {len(params)} {scope} arrays to {out} '
        f'(model: {model_config})')
