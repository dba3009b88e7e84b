# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Parameter files: converted weights and exported models.

A params directory holds `params.msgpack` (a flat {'a/b/kernel': array} map)
and `model.json` (the SMCP constructor arguments, what the file covers:
'backbone', the ImageNet VGG-16 convs conv1_1..conv5_3, or 'full', and for
full networks how they want their inputs: 'inference'), so that it works
the same wherever it is copied. Loading into a model is strict: every missing,
unexpected or wrongly shaped parameter is listed by name.
"""

import json
import os
import tempfile

from flax import nnx
from flax import serialization
import jax.numpy as jnp
import numpy as np

from smcp_jax import errors
from smcp_jax.checkpoints import layout

PARAMS_FILE = layout.PARAMS_FILE
META_FILE = layout.META_FILE
holds_params = layout.holds_params
# What a params file covers -> the prefix of the parameter names it holds.
SCOPES = {'backbone': 'encoder/conv', 'full': ''}


def flatten(tree, prefix: str = '') -> dict[str, np.ndarray]:
  """Nested dict (int or str keys) -> {'a/0/kernel': leaf}."""
  flat = {}
  for key, value in tree.items():
    path = f'{prefix}{key}'
    if isinstance(value, dict):
      flat.update(flatten(value, path + '/'))
    else:
      flat[path] = value
  return flat


def model_params(model: nnx.Module) -> dict[str, np.ndarray]:
  """The model's parameters as a flat name -> array map."""
  return flatten(nnx.to_pure_dict(nnx.state(model, nnx.Param)))


def _umask() -> int:
  mask = os.umask(0)
  os.umask(mask)
  return mask


def save_params(directory: str, params: dict[str, np.ndarray], *,
                model_config: dict, scope: str, source: str,
                inference: dict | None = None) -> None:
  """Writes a params directory atomically (no partial files on failure),
  readable as the umask allows, like any file the user writes."""
  if scope not in SCOPES:
    raise ValueError(f'scope must be one of {list(SCOPES)}, got {scope!r}')
  os.makedirs(directory, exist_ok=True)
  blobs = {
      PARAMS_FILE: serialization.msgpack_serialize(
          {k: np.asarray(v, np.float32) for k, v in params.items()}),
      META_FILE: json.dumps({'model': model_config, 'scope': scope,
                             'source': source, 'inference': inference or {}},
                            indent=2).encode(),
  }
  for name, blob in blobs.items():
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{name}.')
    with os.fdopen(fd, 'wb') as f:
      f.write(blob)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600
    os.replace(tmp, os.path.join(directory, name))


def load_params(directory: str) -> tuple[dict[str, np.ndarray], dict]:
  """Reads a params directory; returns (flat params, metadata)."""
  missing = [n for n in (PARAMS_FILE, META_FILE)
             if not os.path.isfile(os.path.join(directory, n))]
  if missing:
    raise FileNotFoundError(
        f'{directory!r} is not a params directory: missing {missing}. Make '
        'one with `python -m weights_conversion.torchvision_vgg16` or '
        '`python -m weights_conversion.smcp_checkpoint`.')
  with open(os.path.join(directory, META_FILE)) as f:
    meta = json.load(f)
  with open(os.path.join(directory, PARAMS_FILE), 'rb') as f:
    params = serialization.msgpack_restore(f.read())
  return params, meta


def describe_mismatch(expected: dict[str, tuple], given: dict[str, tuple],
                      what: str) -> str | None:
  """Lists missing, unexpected and wrongly shaped names; None if they fit."""
  missing = sorted(set(expected) - set(given))
  unexpected = sorted(set(given) - set(expected))
  wrong = sorted(f'{k}: expected {expected[k]}, got {given[k]}'
                 for k in set(expected) & set(given)
                 if tuple(expected[k]) != tuple(given[k]))
  if not (missing or unexpected or wrong):
    return None
  lines = [f'{what} does not match the model:']
  for title, names in (('missing', missing), ('unexpected', unexpected),
                       ('wrong shape', wrong)):
    if names:
      lines.append(f'  {title} ({len(names)}): ' + ', '.join(names))
  return '\n'.join(lines)


def assign_params(model: nnx.Module, params: dict[str, np.ndarray], *,
                  scope: str = 'full', keep: tuple[str, ...] = ()) -> None:
  """Copies flat `params` into `model` in place, strictly.

  Args:
    model: an SMCP model built with the matching constructor arguments.
    params: flat name -> array map, as `load_params` returns.
    scope: 'full' (every parameter must be given) or 'backbone' (exactly
      conv1_1..conv5_3; the rest keep their initial values).
    keep: name prefixes that keep their initial values (and must not be
      in `params`).

  Raises:
    ParamsMismatchError: listing missing, unexpected and mis-shaped names.
  """
  state = nnx.state(model, nnx.Param)
  current = flatten(nnx.to_pure_dict(state))
  if scope not in SCOPES:
    raise ValueError(f'scope must be one of {list(SCOPES)}, got {scope!r}')
  current = {k: v for k, v in current.items() if k.startswith(SCOPES[scope])
             and not k.startswith(keep)}
  problem = describe_mismatch(
      {k: v.shape for k, v in current.items()},
      {k: np.shape(v) for k, v in params.items()}, f'{scope} params')
  if problem:
    raise errors.ParamsMismatchError(
        problem + '\nCheck that the model config (width, heads, PFF '
        'variant) matches the one the parameters were made for.')

  def replace(tree, prefix=''):
    out = {}
    for key, value in tree.items():
      path = f'{prefix}{key}'
      if isinstance(value, dict):
        out[key] = replace(value, path + '/')
      else:
        out[key] = jnp.asarray(params[path]) if path in params else value
    return out

  pure = replace(nnx.to_pure_dict(state))
  nnx.replace_by_pure_dict(state, pure)
  nnx.update(model, state)
