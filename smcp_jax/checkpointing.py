# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training checkpoints with orbax: async saves, the last K kept, resume.

Two items per step: 'params' (all evaluation needs) and 'train_state' (the
step and the optimizer state), so a checkpoint is restorable without
building an optimizer. orbax writes each save to a temporary folder and
renames it when complete, so a crash never leaves a partial 'latest'.
"""

import os

import jax
import orbax.checkpoint as ocp

CHECKPOINT_SUBDIR = 'checkpoints'


def create_manager(workdir: str, keep: int = 3) -> ocp.CheckpointManager:
  return ocp.CheckpointManager(
      os.path.abspath(os.path.join(workdir, CHECKPOINT_SUBDIR)),
      options=ocp.CheckpointManagerOptions(
          max_to_keep=keep, enable_async_checkpointing=True, create=True),
      item_names=('params', 'train_state'))


def save(manager: ocp.CheckpointManager, step: int, state) -> None:
  manager.save(step, force=True, args=ocp.args.Composite(
      params=ocp.args.StandardSave(state.params),
      train_state=ocp.args.StandardSave(
          {'step': state.step, 'opt_state': state.opt_state})))


def _abstract(tree):
  return jax.tree.map(ocp.utils.to_shape_dtype_struct, tree)


def restore_latest(manager: ocp.CheckpointManager, state):
  """`state` replaced by the latest checkpoint (same shardings), or None."""
  step = manager.latest_step()
  if step is None:
    return None
  rest = {'step': state.step, 'opt_state': state.opt_state}
  restored = manager.restore(step, args=ocp.args.Composite(
      params=ocp.args.StandardRestore(_abstract(state.params)),
      train_state=ocp.args.StandardRestore(_abstract(rest))))
  return state.replace(params=restored['params'],
                       step=restored['train_state']['step'],
                       opt_state=restored['train_state']['opt_state'])


def restore_params(workdir: str, params):
  """(step, params) of the workdir's latest checkpoint, shaped like `params`."""
  manager = ocp.CheckpointManager(
      os.path.abspath(os.path.join(workdir, CHECKPOINT_SUBDIR)),
      options=ocp.CheckpointManagerOptions(
          read_only=True, create=False, save_interval_steps=0),
      item_names=('params', 'train_state'))
  step = manager.latest_step()
  if step is None:
    raise FileNotFoundError(f'no checkpoint in {workdir}/{CHECKPOINT_SUBDIR}')
  restored = manager.restore(step, args=ocp.args.Composite(
      params=ocp.args.StandardRestore(_abstract(params))))
  return step, restored['params']
