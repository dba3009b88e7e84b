# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Faults: kills, signals, corrupt checkpoints, NaNs, several processes."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from smcp_jax.checkpoints import checkpointing
from smcp_jax.checkpoints import params_io
from smcp_jax.train import trainer
from tests.helpers import runs
from tests.helpers import training_data


def _same_params(got, expected):
  assert sorted(got) == sorted(expected)
  for name in expected:
    np.testing.assert_allclose(got[name], expected[name], rtol=1e-5,
                               atol=1e-7, err_msg=name)


def _steps(workdir):
  folder = workdir / 'checkpoints'
  return sorted(int(p) for p in os.listdir(folder) if p.isdigit())


def _script(toy_root, workdir, steps, *overrides, env=None, devices=1):
  return runs.run_python(
      ['-m', 'tests.helpers.train_script', toy_root, str(workdir),
       str(steps), *overrides], devices=devices, env_extra=env)


@pytest.fixture(scope='module')
def straight_12(toy_root, tmp_path_factory):
  """Parameters of an uninterrupted 12-step run."""
  return runs.train_toy(toy_root, tmp_path_factory.mktemp('straight'), 12)


def test_kill_during_a_save_resumes_from_the_last_complete(
    toy_root, tmp_path, straight_12):
  workdir = tmp_path / 'run'
  proc = _script(toy_root, workdir, 12,
                 env={'SMCP_TEST_KILL_AT_SAVE': '8'})
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == -signal.SIGKILL, out[-2000:]
  assert 12 not in _steps(workdir)  # it died before the end
  _same_params(runs.train_toy(toy_root, workdir, 12), straight_12)


@pytest.mark.parametrize('damage', ['flip bytes', 'truncate'])
def test_corrupt_checkpoint_is_detected_and_the_previous_one_used(
    toy_root, tmp_path, straight_12, damage):
  workdir = tmp_path / 'run'
  runs.train_toy(toy_root, workdir, 12)
  assert _steps(workdir) == [4, 8, 12]
  files = [os.path.join(d, f) for d, _, fs in
           os.walk(workdir / 'checkpoints' / '12' / 'params') for f in fs]
  biggest = max(files, key=os.path.getsize)
  data = bytearray(open(biggest, 'rb').read())
  if damage == 'truncate':
    data = data[:len(data) // 2]
  else:
    for i in range(len(data) // 3, len(data) // 3 + 64):
      data[i] ^= 0xFF
  with open(biggest, 'wb') as f:
    f.write(data)
  # Evaluation reads the newest checkpoint that verifies: step 8.
  from flax import nnx  # pylint: disable=g-import-not-at-top

  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top,g-multiple-import
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top,g-multiple-import
  from tests.helpers import train_script  # pylint: disable=g-import-not-at-top
  config = resolution.resolve(train_script.tiny_config(toy_root, 12))
  model = model_io.create_model(config)
  step, _ = checkpointing.restore_params(str(workdir),
                                         nnx.state(model, nnx.Param))
  assert step == 8
  if damage == 'flip bytes':  # predict says so too, and only that
    image = os.path.join(toy_root, 'JPEGImages', 'toy_000001.jpg')
    proc = runs.run_python(
        ['-m', 'smcp_jax.predict', '--checkpoint', str(workdir),
         '--support', image, '--support-box', '5,5,40,40',
         '--query', image, '--out', str(tmp_path / 'predicted')])
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-3000:]
    assert 'is corrupt or incomplete' in out
    assert 'read only' not in out
  # Training warns, moves step 12 aside, resumes from 8 and ends equal.
  proc = _script(toy_root, workdir, 12)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert 'is corrupt or incomplete' in out
  assert os.listdir(workdir / 'corrupt_checkpoints') == ['12']
  _same_params(params_io.load_params(str(workdir / 'params'))[0],
               straight_12)


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_a_checkpoint_and_exits(toy_root, tmp_path,
                                             straight_12, signum):
  workdir = tmp_path / 'run'
  proc = _script(toy_root, workdir, 12,
                 'train.checkpoint_every_steps=100')
  metrics = workdir / 'metrics.jsonl'
  deadline = time.time() + 300
  while time.time() < deadline and not (
      metrics.exists() and len(metrics.read_text().splitlines()) >= 2):
    time.sleep(0.02)
  proc.send_signal(signum)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 128 + signum, out[-3000:]
  assert f'stopped by {signal.Signals(signum).name} at step' in out
  [saved] = _steps(workdir)
  assert saved < 12 and saved == len(runs.train_losses(workdir))
  # Issue 26, item 16: the bar showed one step less than the line.
  stopped = int(re.search(r'at step (\d+)', out).group(1))
  assert stopped == saved
  assert re.findall(r'train:.*?(\d+)/12 ', out)[-1] == str(saved), out
  _same_params(runs.train_toy(toy_root, workdir, 12, 1,
                              'train.checkpoint_every_steps=100'), straight_12)


def test_nan_stops_with_the_step_and_its_images(toy_root, tmp_path):
  workdir = tmp_path / 'run'
  proc = _script(toy_root, workdir, 12, env={'SMCP_TEST_POISON_STEP': '6'})
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert 'the loss became NaN/Inf at step 6' in out, out[-3000:]
  assert "images ['toy_" in out
  assert _steps(workdir) == [4]  # nothing saved from step 6 on


def test_nan_step_is_skipped_when_asked(toy_root, tmp_path):
  workdir = tmp_path / 'run'
  proc = _script(toy_root, workdir, 8, 'train.skip_nonfinite=True',
                 env={'SMCP_TEST_POISON_STEP': '6'})
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  with open(workdir / 'metrics.jsonl') as f:
    skipped = [json.loads(line)['train_skipped_steps'] for line in f]
  assert skipped == [0] * 5 + [1] * 3
  params = params_io.load_params(str(workdir / 'params'))[0]
  assert all(np.isfinite(v).all() for v in params.values())


def test_same_seed_gives_bit_identical_losses(toy_root, tmp_path):
  for name in ('a', 'b'):
    runs.train_toy(toy_root, tmp_path / name, 20, 1,
                   'train.checkpoint_every_steps=100')
  first = runs.train_losses(tmp_path / 'a')
  second = runs.train_losses(tmp_path / 'b')
  assert len(first) == 20 and first == second  # exact, not approximate
  assert len(set(first)) > 1


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def test_two_processes_match_one(toy_root, tmp_path):
  """2 processes x 2 CPU devices on 127.0.0.1 == 1 process, 1 device."""
  steps = 6
  single = runs.train_toy(toy_root, tmp_path / 'single', steps)
  port = _free_port()
  procs = [_script(toy_root, tmp_path / 'multi', steps, devices=2, env={
      'JAX_COORDINATOR_ADDRESS': f'127.0.0.1:{port}',
      'JAX_NUM_PROCESSES': '2', 'JAX_PROCESS_ID': str(i)}) for i in range(2)]
  outs = [p.communicate(timeout=600)[0] for p in procs]
  for proc, out in zip(procs, outs):
    assert proc.returncode == 0, out[-3000:]
    assert 'devices 4 processes 2' in out
  _same_params(params_io.load_params(str(tmp_path / 'multi' / 'params'))[0],
               single)


def test_a_failed_start_leaves_the_workdir_free(toy_root, tmp_path):
  workdir = tmp_path / 'run'
  proc = _script(str(tmp_path / 'no_data'), workdir, 4)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0 and 'does not exist' in out, out[-3000:]
  assert not workdir.exists()
  # Another set-up:
  runs.train_toy(toy_root, workdir, 4, 1, 'train.optimizer=adam')


def test_resume_finish_and_schedule_messages(toy_root, tmp_path):
  """Resuming from an older checkpoint says so and logs each step once; a
  finished run says it is; a longer run would jump the poly schedule."""
  workdir = tmp_path / 'run'
  runs.train_toy(toy_root, workdir, 12)
  for step in ('8', '12'):
    shutil.rmtree(workdir / 'checkpoints' / step)
  proc = _script(toy_root, workdir, 12)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert f'resuming {workdir} from step 4' in out
  assert f'params for evaluate and predict: {workdir}/params' in out
  with open(workdir / 'metrics.jsonl') as f:
    steps = [json.loads(line)['step'] for line in f]
  assert steps == list(range(1, 13)), steps
  proc = _script(toy_root, workdir, 12)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert f'{workdir} is finished (step 12, train.num_steps=12)' in out
  proc = _script(toy_root, workdir, 20)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert 'trained to step 12 with train.num_steps=12' in out, out[-3000:]
  assert '--config.train.num_steps=12' in out


def test_resuming_with_another_set_up_is_refused(toy_root, tmp_path):
  runs.train_toy(toy_root, tmp_path, 4)
  proc = _script(toy_root, tmp_path, 8, 'train.optimizer=adam')
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert 'holds checkpoints of another set-up (train.optimizer: sgd' in out


def test_unreadable_training_image_is_named_alone(toy_root, tmp_path):
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top
  from tests.helpers import train_script  # pylint: disable=g-import-not-at-top
  root = tmp_path / 'toy'
  shutil.copytree(toy_root, root)
  config = train_script.tiny_config(str(root), 2)
  config.data.class_index_cache = str(tmp_path / 'cache')
  sampler = training_data.train_sampler(resolution.resolve(config))
  batch = [f for n in range(4) for f in sampler.files(n)]  # step 1
  bad = batch[2]  # the image of the first episode's query
  with open(bad, 'wb') as f:
    f.write(b'not a jpeg')
  proc = _script(str(root), tmp_path / 'run', 2,
                 f'data.class_index_cache={tmp_path / "cache"}')
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  message = out[out.index('reading the training batch of step 1 failed'):]
  assert bad in message and 'smcp_jax.check_data' in message
  others = [f for f in batch if f != bad]
  assert not [f for f in others if f in message], message
  assert len(message) < 600, message


def test_a_second_training_in_one_workdir_is_refused(toy_root, tmp_path):
  """Issue 26, item 6: two trainings into one workdir both ran to the end,
  every metrics.jsonl row twice. A live holder refuses with the way out; a
  lock left by a process that is gone is taken over, with a line."""
  workdir = tmp_path / 'run'
  workdir.mkdir()
  lock = workdir / trainer.LOCK_FILE
  lock.write_text(json.dumps({'pid': os.getpid(),  # alive: this test
                              'host': socket.gethostname()}))
  proc = _script(toy_root, workdir, 2)  # the library, not the launcher
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert f'is in use by another training (pid {os.getpid()}' in out, out
  assert f'delete {lock}' in out
  assert not (workdir / 'metrics.jsonl').exists()
  gone = subprocess.Popen([sys.executable, '-c', 'pass'])
  gone.wait()
  lock.write_text(json.dumps({'pid': gone.pid,
                              'host': socket.gethostname()}))
  proc = _script(toy_root, workdir, 2)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert 'was left by a training that is gone' in out
  assert len(runs.train_losses(workdir)) == 2  # each step once
  assert not lock.exists()  # released at the end
