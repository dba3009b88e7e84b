# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training: state, the jitted data-parallel step, and the loop.

The step is one `jax.jit` over pure state (graphdef + nnx.State + optax
state), data-parallel over a 1-D ('data',) mesh of every device of every
host: parameters replicated, the batch sharded; jit inserts the gradient
all-reduce that pmap's pmean used to.
"""

import atexit
import contextlib
import dataclasses
import json
import os
import signal
import socket
import time

import flax
from flax import nnx
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import tqdm

from smcp_jax import errors
from smcp_jax.checkpoints import checkpointing
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.config_lib import saved_runs
from smcp_jax.data import builder
from smcp_jax.data.pipeline import tf_ops
from smcp_jax.data.quiet_tf import tf
from smcp_jax.errors import DataError
from smcp_jax.evaluation import evaluator
from smcp_jax.train import host_memory
from smcp_jax.train import losses
from smcp_jax.train import metric_writer
from smcp_jax.train import optim

LOCK_FILE = 'train.lock'  # {"pid", "host"} of the training using it
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
  # The first step whose loss was NaN/Inf (-1: none yet); not checkpointed.
  first_nonfinite_step: jax.Array = dataclasses.field(
      default_factory=lambda: jnp.array(-1, jnp.int32))


class TrainingInterrupted(Exception):
  """SIGINT / SIGTERM arrived; a checkpoint of `step` was saved."""

  def __init__(self, signum: int, step: int):
    super().__init__(f'stopped by {signal.Signals(signum).name} at step '
                     f'{step}; a checkpoint of that step was saved')
    self.signum, self.step = signum, step


def create_mesh() -> jax.sharding.Mesh:
  return jax.make_mesh((jax.device_count(),), ('data',),
                       axis_types=(jax.sharding.AxisType.Auto,))


def create_train_state(config, mesh):
  """(graphdef, replicated TrainState, optax transform, lr schedule)."""
  graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
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
    (loss, terms), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        state.params, batch)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    step = state.step + 1
    first_bad = jnp.where(
        (state.first_nonfinite_step < 0) & ~jnp.isfinite(loss), step,
        state.first_nonfinite_step)
    metrics = {**terms, 'lr': schedule(state.step),
               'grad_norm': optax.tree.norm(grads)}
    if train.skip_nonfinite:
      metrics['skipped_steps'] = opt_state.total_notfinite
    return TrainState(step, params, opt_state, first_bad), metrics

  replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
  data = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec('data'))
  return jax.jit(train_step, in_shardings=(replicated, data),
                 out_shardings=(replicated, replicated), donate_argnums=0)


def _check_finite(state: TrainState, files_by_step: dict) -> None:
  """Raises at the first NaN/Inf loss, naming the step and its images."""
  bad = int(state.first_nonfinite_step)
  if bad < 0:
    return
  files = files_by_step.get(bad)
  images = ([os.path.splitext(os.path.basename(f.decode()))[0]
             for f in files.ravel()] if files is not None else '?')
  raise errors.NonFiniteLoss(
      f'the loss became NaN/Inf at step {bad}; that step\'s episodes used '
      f'images {images} (supports first, then the query, per episode). No '
      'checkpoint was written from that step on. Lower config.train.lr, set '
      'config.train.clip_grad_norm, or skip such steps with '
      'config.train.skip_nonfinite=True.')


class _StopSignals:
  """Turns SIGINT / SIGTERM into a flag the loop polls (then saves)."""

  def __init__(self):
    self.signum = 0
    self._previous = {}

  def __enter__(self):
    for signum in (signal.SIGINT, signal.SIGTERM):
      self._previous[signum] = signal.signal(signum, self._handle)
    return self

  def _handle(self, signum, frame):
    del frame
    if self.signum:  # a second signal: stop now, without saving
      raise KeyboardInterrupt
    self.signum = signum

  def __exit__(self, *exc):
    for signum, handler in self._previous.items():
      signal.signal(signum, handler)

  def pending(self, poll_now: bool) -> int:
    """The signal to stop on (0: none). With several processes they agree
    at `poll_now` steps (a collective), so all save the same step."""
    if jax.process_count() == 1:
      return self.signum
    if not poll_now:
      return 0
    from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
    return int(np.max(multihost_utils.process_allgather(
        np.int32(self.signum))))


def _undecodable(sampler, path: str, decode) -> str | None:
  """Why `decode` (a tf_ops decoder) fails on a file, or None."""
  try:
    decode(sampler.read_file(path))
  except tf.errors.OpError as e:
    return e.message.strip().splitlines()[0]
  return None


def _decode_error(sampler, step: int, global_batch: int) -> DataError:
  """Names the file(s) of the failed batch that do not decode (each
  decoded again, eagerly) and the fix."""
  first = (step - 1) * global_batch
  files = [f for n in range(first, first + global_batch)
           for f in sampler.files(n)]  # image, label, image, label, ...
  decoders = dict.fromkeys(files[0::2], tf_ops.decode_image)
  decoders.update(dict.fromkeys(files[1::2], tf_ops.decode_label))
  bad = {f: why for f, decode in decoders.items()
         if (why := _undecodable(sampler, f, decode)) is not None}
  named = '; '.join(f'{f} ({why})' for f, why in bad.items()) or (
      'none of its files fails alone: ' + ', '.join(files))
  return DataError(
      f'reading the training batch of step {step} failed: {named}. Replace '
      'or remove the file (and its line in the list file); python -m '
      'smcp_jax.check_data --config ... lists every broken file.')


def _saved_run_config(workdir: str):
  """The resolved config of the run whose checkpoints the workdir holds, or
  None (a workdir without checkpoints is free to start anew)."""
  path = os.path.join(workdir, model_io.SAVED_CONFIG)
  if not checkpointing.saved_steps(workdir) or not os.path.isfile(path):
    return None
  return resolution.resolve(saved_runs.read_saved_config(path))


def _check_resumable(saved, config, workdir: str) -> None:
  """A run resumes only with a config whose state has the same shape."""
  saved_runs.check_compatible(
      saved, config, saved_runs.TRAIN_STATE_FIELDS,
      subject=f'{workdir} holds checkpoints of another set-up',
      alternative='use a new --workdir')


def _check_schedule(saved, config, workdir: str, step: int) -> None:
  """Refuses a resume whose learning-rate schedule would jump: the
  polynomial decay depends on train.num_steps (and so on warm-up and lr)."""
  before = optim.create_learning_rate_fn(saved.train)
  after = optim.create_learning_rate_fn(config.train)
  if all(np.isclose(before(t), after(t)) for t in (step, step + 1)):
    return
  changed = [f'train.{k}={saved.train[k]}' for k in (
      'num_steps', 'lr', 'lr_schedule', 'lr_power', 'warmup_steps')
             if saved.train[k] != config.train[k]]
  raise errors.ConfigError(
      f'{workdir} was trained to step {step} with {", ".join(changed)}; '
      f'this config would change its learning-rate schedule there (from '
      f'{float(before(step)):.3g} to {float(after(step)):.3g} at step '
      f'{step}), and the steps left would not continue the schedule the '
      'first ones followed. Resume with '
      + ' '.join(f'--config.{c}' for c in changed)
      + ', or train a new --workdir.')


class _Progress:
  """The progress bar and the scalar logs (JSON lines + TensorBoard)."""

  def __init__(self, workdir: str, train, start: int, enabled: bool):
    self.writer = metric_writer.MetricWriter(workdir, enabled=enabled,
                                             resume_step=start)
    self.bar = tqdm.tqdm(total=train.num_steps, initial=start, unit='step',
                         disable=not enabled, desc='train')
    self.global_batch = train.global_batch
    self.last_step, self.last_time = start, time.perf_counter()

  def log(self, step: int, metrics: dict) -> None:
    now = time.perf_counter()
    metrics['episodes_per_s'] = ((step - self.last_step) * self.global_batch
                                 / (now - self.last_time))
    self.writer.write(step, {f'train_{k}': v for k, v in metrics.items()})
    self.bar.set_postfix(loss=f'{metrics["loss"]:.4f}',
                         lr=f'{metrics["lr"]:.2e}',
                         eps=f'{metrics["episodes_per_s"]:.1f}/s')
    self.last_step, self.last_time = step, now

  def close(self) -> None:
    self.bar.close()
    self.writer.close()


def _next_batch(batches, sampler, step: int, global_batch: int) -> dict:
  try:
    return next(batches)
  except tf.errors.OpError as e:
    raise _decode_error(sampler, step, global_batch) from e


BEST_SUBDIR = 'best'  # the best-validated params (train.keep_best)
BEST_RECORD = 'best.json'  # {"step", "val_miou"} of those


def _export_params(workdir: str, config, state: TrainState,
                   subdir: str = model_io.EXPORT_SUBDIR, *,
                   averaged: bool = False) -> None:
  """WORKDIR/params: what evaluate and predict load; with `averaged`, the
  tail mean of train.average_last_steps instead of the last step's."""
  params = optim.averaged_params(state.opt_state) if averaged else None
  params_io.save_params(
      os.path.join(workdir, subdir),
      params_io.flatten(nnx.to_pure_dict(jax.device_get(
          state.params if params is None else params))),
      model_config=config.model.to_dict(), scope='full',
      source=f'smcp-jax:{workdir}@{int(state.step)}',
      inference=model_io.inference_settings(config))


class _Best:
  """train.keep_best: WORKDIR/best holds the params of the step with the
  highest validation mIoU so far, WORKDIR/best.json its step and score
  (read back on resume)."""

  def __init__(self, workdir: str, config, *, enabled: bool):
    self.workdir, self.config, self.enabled = workdir, config, enabled
    self.record = os.path.join(workdir, BEST_RECORD)
    self.miou = -1.0
    if enabled and os.path.exists(self.record):
      with open(self.record) as f:
        self.miou = json.load(f)['val_miou']

  def offer(self, step: int, miou: float, state: TrainState) -> bool:
    """Exports `state` if `miou` beats the best so far; True if it did."""
    if not self.enabled or miou <= self.miou:
      return False
    _export_params(self.workdir, self.config, state, BEST_SUBDIR)
    tmp = self.record + '.tmp'
    with open(tmp, 'w') as f:
      json.dump({'step': step, 'val_miou': miou}, f)
    os.replace(tmp, self.record)
    self.miou = miou
    return True


def _lock_holder(path: str) -> dict | None:
  try:
    with open(path) as f:
      return json.load(f)
  except (OSError, ValueError):
    return None  # gone, or half written by a process that died


def _alive(holder: dict) -> bool:
  """Whether a lock's process runs (another host's is taken to)."""
  if holder.get('host') != socket.gethostname():
    return True
  try:
    os.kill(holder['pid'], 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    pass  # another user's process
  return True


def _lock_workdir(workdir: str) -> None:
  """One training at a time per workdir: process 0 holds LOCK_FILE (its pid
  and host) until it exits. A second training is refused with the way out;
  a lock whose process is gone (killed) is taken over, with a line."""
  path = os.path.join(workdir, LOCK_FILE)
  me = {'pid': os.getpid(), 'host': socket.gethostname()}
  while True:
    try:
      fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
      holder = _lock_holder(path)
      if holder == me:  # this process, training again
        return
      if holder is not None and _alive(holder):
        raise errors.UserError(
            f'{workdir} is in use by another training (pid {holder["pid"]} '
            f'on {holder["host"]}): wait for it to end or stop it, or give '
            f'another --workdir (if that process is gone, delete {path})')
      tqdm.tqdm.write(f'{path} was left by a training that is gone '
                      f'({holder}); taking it over')
      with contextlib.suppress(FileNotFoundError):
        os.remove(path)
      continue
    with os.fdopen(fd, 'w') as f:
      json.dump(me, f)
    atexit.register(_unlock, path)
    return


def _unlock(path: str) -> None:
  with contextlib.suppress(OSError):
    os.remove(path)


def _check_can_make(workdir: str) -> None:
  """Refuses a local --workdir whose nearest existing folder is a file or
  not writable, before the data is read and the network built."""
  if '://' in workdir:  # a bucket: its own file system decides
    return
  existing = os.path.abspath(workdir)
  while not os.path.exists(existing):
    existing = os.path.dirname(existing)
  if not os.path.isdir(existing) or not os.access(existing,
                                                  os.W_OK | os.X_OK):
    raise errors.UserError(f'--workdir {workdir} cannot be made: {existing} '
                           'is not a folder you can write; give another '
                           '--workdir')


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str):
  """Trains with a resolved config (resolution.resolve), resuming from the
  workdir's latest checkpoint; returns (graphdef, final state)."""
  train = config.train
  if train.global_batch % jax.device_count():
    raise errors.ConfigError(
        f'config.train.global_batch={train.global_batch} is not divisible '
        f'by the {jax.device_count()} devices')
  is_chief = jax.process_index() == 0
  say = tqdm.tqdm.write if is_chief else lambda message: None
  # What can refuse the data or the config runs before anything is
  # written, so that a failed start leaves the workdir as it was.
  _check_can_make(workdir)
  sampler = builder.train_sampler(config.data, seed=config.seed,
                                  hold_out=bool(train.val_every_steps))
  validation = (builder.validation(config.data, seed=config.seed,
                                   num_episodes=train.val_episodes)
                if train.val_every_steps else None)
  saved = _saved_run_config(workdir)
  if saved is not None:
    _check_resumable(saved, config, workdir)
  mesh = create_mesh()
  graphdef, state, tx, schedule = create_train_state(config, mesh)
  try:
    os.makedirs(workdir, exist_ok=True)
  except OSError as e:
    raise errors.UserError(f'--workdir {workdir} cannot be made '
                           f'({e.strerror}); give another --workdir') from None
  if is_chief:
    _lock_workdir(workdir)
  manager = checkpointing.create_manager(workdir, train.keep_checkpoints)
  state = checkpointing.restore_latest(manager, state, workdir) or state
  start = int(state.step)
  if start and saved is not None:
    _check_schedule(saved, config, workdir, start)
  if is_chief:
    with open(os.path.join(workdir, model_io.SAVED_CONFIG), 'w') as f:
      f.write(config.to_json(indent=2))
  export = os.path.join(workdir, model_io.EXPORT_SUBDIR)
  averaged = bool(train.average_last_steps)
  if start >= train.num_steps:
    if is_chief:
      _export_params(workdir, config, state, averaged=averaged)
    say(f'{workdir} is finished (step {start}, train.num_steps='
        f'{train.num_steps}); its params: {export}')
    return graphdef, state
  if start:
    say(f'resuming {workdir} from step {start}')
  batches = builder.train_dataset(
      config.data, sampler, global_batch=train.global_batch,
      process_index=jax.process_index(), process_count=jax.process_count(),
      start_step=start).as_numpy_iterator()
  train_step = make_train_step(graphdef, tx, schedule, train, mesh)
  data = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec('data'))
  progress = _Progress(workdir, train, start, enabled=is_chief)
  eval_episodes = (evaluator.protocol_episodes(
      config.data, config.test, runs=1, episodes=train.eval_episodes)
                   if train.eval_every_steps else None)
  # Jitted once: each periodic evaluation reuses them.
  eval_infer = evaluator.jitted_inference(config.test, graphdef,
                                          config.test.ways)
  val_infer = (eval_infer if config.test.ways == 1
               else evaluator.jitted_inference(config.test, graphdef))
  best = _Best(workdir, config, enabled=is_chief and train.keep_best)
  files_by_step = {}  # since the last check: for a NaN message
  compiled_step = None
  in_flight = None  # the last step's metrics, maybe still computing
  try:
    with _StopSignals() as signals:
      for step in range(start + 1, train.num_steps + 1):
        batch = _next_batch(batches, sampler, step, train.global_batch)
        files_by_step[step] = batch['files']
        arrays = {k: jax.make_array_from_process_local_data(data, batch[k])
                  for k in STEP_KEYS}
        if compiled_step is None:
          # Compiled ahead, so that the compiler's freed heap goes back to
          # the OS before the first step allocates its own.
          compiled_step = train_step.lower(state, arrays).compile()
          host_memory.release_freed_heap()
        state, metrics = compiled_step(state, arrays)
        # The bar counts finished steps, so that its rate and ETA are the
        # real ones: one step stays in flight while the one before it is
        # waited for (dispatching ahead showed 20 fast steps, then a stall).
        if in_flight is not None:
          jax.block_until_ready(in_flight)
          progress.bar.update(1)
        in_flight = metrics
        log_now = step % train.log_every_steps == 0
        stop = signals.pending(poll_now=log_now)
        checkpoint_now = (step % train.checkpoint_every_steps == 0
                          or step == train.num_steps or stop)
        # Checkpoint steps are checked too, so no NaN state is ever saved.
        if log_now or checkpoint_now:
          metrics = jax.device_get(metrics)
          if not train.skip_nonfinite:
            _check_finite(state, files_by_step)
          files_by_step.clear()
          progress.log(step, metrics)
        if checkpoint_now:
          checkpointing.save(manager, step, state)
        if stop:
          progress.bar.update(1)  # the bar ends at the step it stopped at
          raise TrainingInterrupted(stop, step)
        if train.eval_every_steps and step % train.eval_every_steps == 0:
          summary = evaluator.evaluate(config, graphdef, state.params,
                                       eval_episodes, infer=eval_infer)
          progress.writer.write(step, {'eval_miou': summary['miou'],
                                       'eval_fb_iou': summary['fb_iou']})
          say(f'step {step}: novel-class mIoU {summary["miou"]:.1f}, FB-IoU '
              f'{summary["fb_iou"]:.1f} ({train.eval_episodes} episodes)')
        if validation and step % train.val_every_steps == 0:
          summary = evaluator.validate(config, graphdef, state.params,
                                       validation, infer=val_infer)
          progress.writer.write(step, {'val_miou': summary['miou'],
                                       'val_fb_iou': summary['fb_iou']})
          note = ' (best so far)' if best.offer(step, summary['miou'],
                                                state) else ''
          say(f'step {step}: validation mIoU {summary["miou"]:.1f} on '
              f'held-out images of the training classes{note}')
      if in_flight is not None:
        progress.bar.update(1)  # the last step, fetched for its checkpoint
  finally:
    manager.wait_until_finished()  # a save in flight completes, error or not
    progress.close()
  if is_chief:
    _export_params(workdir, config, state, averaged=averaged)
  mean = (f' (the mean of the last {train.average_last_steps} steps)'
          if averaged else '')
  say(f'trained to step {train.num_steps}; params for evaluate and predict'
      f'{mean}: {export}')
  return graphdef, state
