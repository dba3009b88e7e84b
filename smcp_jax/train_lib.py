# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training: state, the jitted data-parallel step, and the loop.

The step is one `jax.jit` over pure state (graphdef + nnx.State + optax
state), data-parallel over a 1-D ('data',) mesh of every device of every
host: parameters replicated, the batch sharded; jit inserts the gradient
all-reduce that pmap's pmean used to.
"""

import os
import time

import flax
from flax import nnx
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import tqdm

from smcp_jax import checkpointing
from smcp_jax import config_lib
from smcp_jax import losses
from smcp_jax import eval_lib
from smcp_jax import metric_writer
from smcp_jax import model_io
from smcp_jax import optim
from smcp_jax import params_io
from smcp_jax.data import builder

# The batch entries the step uses (class ids and episode numbers stay on
# the host, for messages).
STEP_KEYS = ('support_images', 'support_masks', 'support_label',
             'support_mcl_label', 'query_image', 'query_label',
             'query_mcl_label')


@flax.struct.dataclass
class TrainState:
  step: jax.Array
  params: nnx.State
  opt_state: optax.OptState


def create_mesh() -> jax.sharding.Mesh:
  return jax.make_mesh((jax.device_count(),), ('data',),
                       axis_types=(jax.sharding.AxisType.Auto,))


def create_train_state(config, mesh):
  """(graphdef, replicated TrainState, optax transform, lr schedule)."""
  graphdef, params = nnx.split(model_io.create_model(config, config.seed),
                               nnx.Param)
  tx, schedule = optim.create_optimizer(config.train, params)
  state = TrainState(step=jnp.zeros((), jnp.int32), params=params,
                     opt_state=tx.init(params))
  replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
  return graphdef, jax.device_put(state, replicated), tx, schedule


def make_train_step(graphdef, tx, schedule, train, mesh):
  """The jitted step: (state, batch) -> (state, metrics); state donated."""

  def loss_fn(params, batch):
    model = nnx.merge(graphdef, params)
    outputs = model(batch['support_images'], batch['support_masks'],
                    batch['query_image'], self_prototype=train.self_prototype)
    return losses.smcp_loss(outputs, batch, train.lambda_mcl)

  def train_step(state, batch):
    (_, terms), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        state.params, batch)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    metrics = {**terms, 'lr': schedule(state.step),
               'grad_norm': optax.global_norm(grads)}
    return TrainState(state.step + 1, params, opt_state), metrics

  replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
  data = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec('data'))
  return jax.jit(train_step, in_shardings=(replicated, data),
                 out_shardings=(replicated, replicated), donate_argnums=0)


def _check_finite(metrics, step, last_logged, episodes):
  if not np.isfinite(metrics['loss']):
    raise FloatingPointError(
        f'the loss became {metrics["loss"]} within steps {last_logged + 1}..'
        f'{step}; the last batch held episodes {episodes.tolist()}. No '
        'checkpoint was written for these steps.')


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str):
  """Trains (resuming from the workdir's latest checkpoint); returns
  (graphdef, final state)."""
  config = config_lib.resolve(config)
  train = config.train
  if train.global_batch % jax.device_count():
    raise config_lib.ConfigError(
        f'config.train.global_batch={train.global_batch} is not divisible '
        f'by the {jax.device_count()} devices')
  is_chief = jax.process_index() == 0
  os.makedirs(workdir, exist_ok=True)
  mesh = create_mesh()
  graphdef, state, tx, schedule = create_train_state(config, mesh)
  manager = checkpointing.create_manager(workdir, train.keep_checkpoints)
  state = checkpointing.restore_latest(manager, state) or state
  start = int(state.step)
  if is_chief:
    with open(os.path.join(workdir, 'config.json'), 'w') as f:
      f.write(config.to_json(indent=2))
  dataset = builder.train_dataset(
      config, global_batch=train.global_batch,
      process_index=jax.process_index(), process_count=jax.process_count(),
      start_step=start)
  train_step = make_train_step(graphdef, tx, schedule, train, mesh)
  data = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec('data'))
  writer = metric_writer.MetricWriter(workdir, enabled=is_chief)
  bar = tqdm.tqdm(total=train.num_steps, initial=start, unit='step',
                  disable=not is_chief, desc='train')
  last_logged, last_time = start, time.perf_counter()
  for step, batch in zip(range(start + 1, train.num_steps + 1),
                         dataset.as_numpy_iterator()):
    device_batch = {k: jax.make_array_from_process_local_data(data, batch[k])
                    for k in STEP_KEYS}
    state, metrics = train_step(state, device_batch)
    checkpoint_now = (step % train.checkpoint_every_steps == 0
                      or step == train.num_steps)
    # Checkpoint steps are checked too, so no NaN state is ever saved.
    if step % train.log_every_steps == 0 or checkpoint_now:
      metrics = jax.device_get(metrics)
      _check_finite(metrics, step, last_logged, batch['episode'])
      now = time.perf_counter()
      metrics['episodes_per_s'] = ((step - last_logged) * train.global_batch
                                   / (now - last_time))
      writer.write(step, {f'train_{k}': v for k, v in metrics.items()})
      bar.set_postfix(loss=f'{metrics["loss"]:.4f}', lr=f'{metrics["lr"]:.2e}',
                      eps=f'{metrics["episodes_per_s"]:.1f}/s')
      last_logged, last_time = step, now
    if checkpoint_now:
      checkpointing.save(manager, step, state)
    if train.eval_every_steps and step % train.eval_every_steps == 0:
      summary = eval_lib.evaluate(config, graphdef, state.params,
                                  runs=1, episodes=train.eval_episodes)
      writer.write(step, {'eval_miou': summary['miou'],
                          'eval_fb_iou': summary['fb_iou']})
    bar.update(1)
  bar.close()
  manager.wait_until_finished()
  if is_chief:
    params_io.save_params(
        os.path.join(workdir, model_io.EXPORT_SUBDIR),
        params_io.flatten(nnx.to_pure_dict(jax.device_get(state.params))),
        model_config=config.model.to_dict(), scope='full',
        source=f'smcp-jax:{workdir}@{int(state.step)}')
  writer.close()
  return graphdef, state
