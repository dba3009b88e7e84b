# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Builds matching torch and JAX models and inputs for the parity tests."""

import os

from flax import nnx
import jax
import numpy as np
import torch

from smcp_jax.checkpoints import params_io
from smcp_jax.models import smcp
from weights_conversion import smcp_checkpoint
from weights_conversion import torch_reference


def convert_authors_model(module: torch.nn.Module, directory: str,
                          **overrides) -> smcp.SMCP:
  """Saves, converts with the CLI, loads: the user's path end to end."""
  pth = os.path.join(directory, 'model.pth')
  out = os.path.join(directory, 'converted')
  torch_reference.save_as_authors_checkpoint(module, pth)
  smcp_checkpoint.main(['--pth', pth, '--out', out])
  params, meta = params_io.load_params(out)
  model = smcp.SMCP(**{**meta['model'], **overrides}, rngs=nnx.Rngs(0))
  params_io.assign_params(model, params, scope=meta['scope'])
  return model


def to_nhwc(t: torch.Tensor) -> np.ndarray:
  return np.moveaxis(t.detach().numpy(), -3, -1)


@nnx.jit
def train_forward(model, support, masks, query):
  return model(support, masks, query)


def infer(model, support, masks, query, **kwargs):
  graphdef, state = nnx.split(model)
  fn = jax.jit(lambda s, *a: nnx.merge(graphdef, s).infer(*a, **kwargs))
  return fn(state, support, masks, query)


def torch_train_forward(ref, support, masks, query) -> dict:
  """The reference's one-shot training forward on NHWC numpy inputs."""
  with torch.no_grad():
    return ref(torch_reference.to_torch_images(support[:, 0]),
               torch.from_numpy(masks[:, 0]),
               torch_reference.to_torch_images(query))
