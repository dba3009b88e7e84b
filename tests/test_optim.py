# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Tail averaging of the parameters (train.average_last_steps), on a
hand-computed SGD run, and in a training's export."""

from flax import nnx
import jax.numpy as jnp
import numpy as np
import optax

from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.train import optim
from tests.helpers import train_script


def test_the_tail_mean_is_the_mean_of_the_last_steps_params():
  # SGD at lr 0.5 on f(p) = p^2 / 2 (gradient p) from p = 8: p halves each
  # step, 4, 2, 1, 0.5, 0.25; the mean of the last 3 is 7/12.
  tx = optax.chain(optax.sgd(0.5), optim.tail_average(5, 3))
  params = {'p': jnp.array(8.0)}
  state = tx.init(params)
  for _ in range(5):
    updates, state = tx.update(params, state, params)
    params = optax.apply_updates(params, updates)
  assert float(params['p']) == 0.25
  np.testing.assert_allclose(
      float(optim.averaged_params(state)['p']), (1 + 0.5 + 0.25) / 3,
      rtol=1e-6)
  assert optim.averaged_params(optax.sgd(0.5).init(params)) is None


def test_training_exports_the_tail_mean(toy_root, tmp_path):
  from smcp_jax.train import trainer  # pylint: disable=g-import-not-at-top
  config = train_script.tiny_config(toy_root, 4)
  config.train.average_last_steps = 2
  config.train.skip_nonfinite = True  # the mean found inside its wrapper
  _, state = trainer.train_and_evaluate(resolution.resolve(config),
                                        str(tmp_path))
  exported = params_io.load_params(str(tmp_path / 'params'))[0]
  mean = params_io.flatten(nnx.to_pure_dict(
      optim.averaged_params(state.opt_state)))
  last = params_io.flatten(nnx.to_pure_dict(state.params))
  assert exported.keys() == mean.keys()
  moved = 0
  for key, value in exported.items():
    np.testing.assert_array_equal(value, np.asarray(mean[key]))
    moved += not np.array_equal(value, np.asarray(last[key]))
  assert moved > 0  # not the last step's params
  # Loading the workdir gives the mean too, as its export says.
  model, source = model_io.load_model(resolution.resolve(config),
                                      str(tmp_path))
  assert 'the mean of the last 2 steps' in source
  for key, value in params_io.model_params(model).items():
    np.testing.assert_array_equal(value, exported[key])
