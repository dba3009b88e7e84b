# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training checkpoints with orbax: async saves, the last K kept, resume.

Three items per step: 'params' (all evaluation needs), 'train_state' (the
step and the optimizer state), so a checkpoint is restorable without
building an optimizer, and 'digest' (sha256 of the other two). orbax writes
each save to a temporary folder and renames it when complete, so a crash
never leaves a partial 'latest'; the digests catch what happens to the
files later (truncation, bit rot), and restoring falls back to the newest
checkpoint that verifies.
"""

import contextlib
import hashlib
import os
import shutil

from absl import logging
import jax
from jax.experimental import multihost_utils
import numpy as np
import orbax.checkpoint as ocp

CHECKPOINT_SUBDIR = 'checkpoints'
QUARANTINE_SUBDIR = 'corrupt_checkpoints'
ITEMS = ('params', 'train_state', 'digest')


def create_manager(workdir: str, keep: int = 3) -> ocp.CheckpointManager:
  return ocp.CheckpointManager(
      os.path.abspath(os.path.join(workdir, CHECKPOINT_SUBDIR)),
      options=ocp.CheckpointManagerOptions(
          max_to_keep=keep, enable_async_checkpointing=True, create=True),
      item_names=ITEMS)


def saved_steps(workdir: str) -> list[int]:
  """The steps a workdir holds checkpoints of (none for a fresh one)."""
  directory = os.path.join(workdir, CHECKPOINT_SUBDIR)
  if not os.path.isdir(directory):
    return []
  return sorted(int(name) for name in os.listdir(directory) if name.isdigit())


def digest(tree) -> str:
  """sha256 of a tree's leaves in order (this process's copy of each)."""
  h = hashlib.sha256()
  for leaf in jax.tree.leaves(tree):
    if isinstance(leaf, jax.Array):
      leaf = leaf.addressable_data(0)
    h.update(np.ascontiguousarray(np.asarray(leaf)).tobytes())
  return h.hexdigest()


def _train_state_item(state):
  return {'step': state.step, 'opt_state': state.opt_state}


def save(manager: ocp.CheckpointManager, step: int, state) -> None:
  """Saves asynchronously, with digests that restore checks."""
  rest = _train_state_item(state)
  manager.save(step, force=True, args=ocp.args.Composite(
      params=ocp.args.StandardSave(state.params),
      train_state=ocp.args.StandardSave(rest),
      digest=ocp.args.JsonSave({'params': digest(state.params),
                                'train_state': digest(rest)})))


def _abstract(tree):
  return jax.tree.map(ocp.utils.to_shape_dtype_struct, tree)


def _verified(manager, step, **abstract_items):
  """Restores the named items of `step`; raises if a digest disagrees."""
  args = {name: ocp.args.StandardRestore(_abstract(tree))
          for name, tree in abstract_items.items()}
  # Checkpoints written before digests existed restore unverified.
  if os.path.isdir(os.path.join(manager.directory, str(step), 'digest')):
    args['digest'] = ocp.args.JsonRestore()
  restored = manager.restore(step, args=ocp.args.Composite(**args))
  for name in abstract_items if 'digest' in args else ():
    if digest(restored[name]) != restored['digest'][name]:
      raise ValueError(f'the {name} do not match the digest saved with them')
  return restored


def _newest_good(manager, directory: str, quarantine: str | None, **items):
  """(step, restored items) of the newest checkpoint that restores and
  verifies, or (None, None). Bad ones are moved to `quarantine` if given."""
  for step in sorted(manager.all_steps(), reverse=True):
    try:
      return step, _verified(manager, step, **items)
    except Exception as e:  # orbax / tensorstore raise many types
      where = os.path.join(directory, str(step))
      logging.warning('checkpoint %s is corrupt or incomplete (%s: %s)%s; '
                      'using the one before it', where, type(e).__name__, e,
                      f', moved to {quarantine}' if quarantine else '')
      if quarantine:
        _quarantine(manager, where, quarantine)
  return None, None


def _quarantine(manager, where: str, quarantine: str) -> None:
  """Moves a bad step out of the manager's sight (kept for inspection)."""
  if jax.process_index() == 0:
    os.makedirs(quarantine, exist_ok=True)
    target = os.path.join(quarantine, os.path.basename(where))
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(where, target)
  if jax.process_count() > 1:
    multihost_utils.sync_global_devices(f'quarantine {where}')
  manager.reload()


def restore_latest(manager: ocp.CheckpointManager, state, workdir: str):
  """`state` replaced by the newest good checkpoint (same shardings), or
  None. Corrupt ones are moved to workdir/corrupt_checkpoints."""
  step, restored = _newest_good(
      manager, os.path.join(workdir, CHECKPOINT_SUBDIR),
      os.path.join(workdir, QUARANTINE_SUBDIR), params=state.params,
      train_state=_train_state_item(state))
  if step is None:
    return None
  return state.replace(params=restored['params'],
                       step=restored['train_state']['step'],
                       opt_state=restored['train_state']['opt_state'])


@contextlib.contextmanager
def _without_read_only_notice():
  """orbax warns 'Given directory is read only' for every read-only
  manager: here that is the intent, not news for the user."""
  drop = lambda record: not str(record.msg).startswith(
      'Given directory is read only')
  logger = logging.get_absl_logger()
  logger.addFilter(drop)
  try:
    yield
  finally:
    logger.removeFilter(drop)


def restore_params(workdir: str, params):
  """(step, params) of the workdir's newest good checkpoint (read-only)."""
  directory = os.path.abspath(os.path.join(workdir, CHECKPOINT_SUBDIR))
  with _without_read_only_notice():
    manager = ocp.CheckpointManager(
        directory, options=ocp.CheckpointManagerOptions(
            read_only=True, create=False, save_interval_steps=0),
        item_names=ITEMS)
  step, restored = _newest_good(manager, directory, None, params=params)
  if step is None:
    raise FileNotFoundError(f'no usable checkpoint in {directory}')
  return step, restored['params']
