# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training and evaluation end to end on tiny configs."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from smcp_jax import errors
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.config_lib import saved_runs
from smcp_jax.models import vgg
from tests.helpers import runs
from tests.helpers import train_script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_loss_falls(toy_root, tmp_path):
  runs.train_toy(toy_root, tmp_path, 40, 1, 'train.lr=0.02')
  losses = runs.train_losses(tmp_path)
  assert len(losses) == 40
  assert np.mean(losses[-8:]) < 0.8 * np.mean(losses[:8]), losses


def test_four_devices_match_one(toy_root, tmp_path):
  one = runs.train_toy(toy_root, tmp_path / 'one', 3, 1)
  four = runs.train_toy(toy_root, tmp_path / 'four', 3, 4)
  for name in ('encoder/conv1_1/kernel', 'head/classifier/branches/0/bias',
               'mcl_classifier/branches/3/kernel'):
    np.testing.assert_allclose(four[name], one[name], rtol=2e-4, atol=1e-6)
  assert max(np.max(np.abs(four[k] - one[k])) for k in one) < 1e-4


def test_batch_not_divisible_by_devices(toy_root, tmp_path):
  proc = runs.run_python(
      ['-m', 'tests.helpers.train_script', toy_root, str(tmp_path), '2',
       'train.global_batch=6'], devices=4)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert 'global_batch=6 is not divisible by the 4 devices' in out


def test_resume_after_kill_matches_uninterrupted(toy_root, tmp_path):
  steps = 12
  reference = runs.train_toy(toy_root, tmp_path / 'straight', steps)
  workdir = tmp_path / 'killed'
  proc = runs.run_python(
      ['-m', 'tests.helpers.train_script', toy_root, str(workdir),
       str(steps)])
  first = workdir / 'checkpoints' / '4'
  deadline = time.time() + 300
  while not first.exists() and time.time() < deadline:
    time.sleep(0.05)
  proc.send_signal(signal.SIGKILL)
  proc.communicate()
  done = [int(p) for p in os.listdir(workdir / 'checkpoints') if p.isdigit()]
  assert done and max(done) < steps, done  # it really was cut short
  resumed = runs.train_toy(toy_root, workdir, steps)
  for name in reference:
    np.testing.assert_allclose(resumed[name], reference[name], rtol=1e-5,
                               atol=1e-7, err_msg=name)


def test_reference_switch_and_overrides():
  config = train_script.tiny_config('x', 1)
  paper = resolution.resolve(config)
  assert (paper.train.weight_decay, paper.train.lr_schedule) == (1e-4, 'poly')
  assert paper.model.num_mcl_classes == 16 and paper.data.mcl_remap
  config.reference = 'authors_code'
  authors = resolution.resolve(config)
  assert authors.train.weight_decay == 5e-4
  assert authors.train.lr_schedule == 'constant'
  assert authors.model.num_mcl_classes == 21
  assert authors.model.pff_extra_convs
  assert not authors.model.support_branch_uses_pff
  assert not authors.data.support_ignore_boundary
  config.train.weight_decay = 3e-4  # an explicit value wins
  assert resolution.resolve(config).train.weight_decay == 3e-4


@pytest.mark.parametrize('field,value,message', [
    ('train.lr_schedule', 'cosine', "train.lr_schedule must be one of"),
    ('reference', 'mine', 'config.reference must be one of'),
    ('train.num_steps', 0, 'config.train.num_steps must be > 0'),
    ('data.fold', 7, 'config.data.fold must be 0..3, got 7'),
    ('model.num_mcl_classes', 21, 'num_mcl_classes=21 does not fit'),
    ('train.warmup_steps', 1, 'warmup_steps must be 0..train.num_steps - 1'),
    ('train.clip_grad_norm', -1.0, 'clip_grad_norm must be >= 0'),
    ('train.optimizer', 'lamb', "train.optimizer must be one of"),
])
def test_invalid_values(field, value, message):
  config = train_script.tiny_config('x', 1)
  section, _, name = field.rpartition('.')
  (config[section] if section else config)[name] = value
  with pytest.raises(errors.ConfigError, match=message):
    resolution.resolve(config)


def test_a_short_run_names_the_warm_up_flag_to_add():
  """Issue 26, item 15: --config.train.num_steps=6 alone was refused on
  the toy's 20 warm-up steps without saying what to add."""
  config = train_script.tiny_config('x', 6)
  config.train.warmup_steps = 20
  with pytest.raises(errors.ConfigError,
                     match=r'got 20: add --config\.train\.warmup_steps=5$'):
    resolution.resolve(config)


def test_resolve_freezes_and_fills_the_protocol():
  config = train_script.tiny_config('x', 1)
  resolved = resolution.resolve(config)
  with pytest.raises(AttributeError, match='immutable'):
    resolved.test.episodes = 5  # library code cannot write back
  assert (resolved.test.split, resolved.test.label_resolution) == (
      'trainaug', 'resized')
  config.test.protocol = 'val'
  again = resolution.resolve(config)
  assert (again.test.split, again.test.label_resolution) == ('val',
                                                            'original')
  assert resolution.resolve(again) == again  # resolving is idempotent
  config.test.label_resolution = 'native'
  with pytest.raises(errors.ConfigError,
                     match='test.label_resolution must be one of'):
    resolution.resolve(config)


def test_one_compatibility_check_names_the_fix():
  saved = resolution.resolve(train_script.tiny_config('x', 1))
  config = train_script.tiny_config('x', 1)
  config.train.optimizer = 'adam'
  config.train.clip_grad_norm = 2.0  # clipping off (saved) vs on
  config = resolution.resolve(config)
  saved_runs.check_compatible(saved, config, saved_runs.NETWORK_FIELDS,
                              subject='x')  # the same network
  other_threshold = {'train': {'clip_grad_norm': 1.0}}  # on in both
  saved_runs.check_compatible(other_threshold, config,
                              saved_runs.TRAIN_STATE_FIELDS, subject='x')
  with pytest.raises(errors.ConfigError) as info:
    saved_runs.check_compatible(saved, config,
                                saved_runs.TRAIN_STATE_FIELDS,
                                subject='w holds checkpoints',
                                alternative='use a new --workdir')
  assert str(info.value) == (
      'w holds checkpoints (train.optimizer: sgd (saved) vs adam (config); '
      'train.clip_grad_norm: 0.0 (saved) vs 2.0 (config)). Use the matching '
      'config or add: --config.train.optimizer=sgd '
      '--config.train.clip_grad_norm=0.0; or use a new --workdir.')
  # A params directory's model.json holds the model section alone.
  with pytest.raises(errors.ConfigError, match=(
      r'\(model.width: 0.125 \(saved\) vs 0.0625 \(config\)\)')):
    saved_runs.check_compatible({'model': {'width': 0.125}}, config,
                                saved_runs.NETWORK_FIELDS, subject='p')


def test_weight_gradient_mode_reaches_every_conv():
  from flax import nnx  # pylint: disable=g-import-not-at-top

  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.ops import conv_grad  # pylint: disable=g-import-not-at-top
  config = train_script.tiny_config('x', 1)
  config.model.conv_weight_grad = 'xla'
  config.model.dilated_conv = 'phases'
  config.model.conv3x3 = 'winograd'
  model = model_io.create_model(resolution.resolve(config))
  convs = [m for _, m in nnx.iter_graph(model) if isinstance(m, nnx.Conv)]
  assert len(convs) > 30
  assert all(c.conv_general_dilated is conv_grad.conv_fn('xla', 'phases',
                                                              'winograd')
             for c in convs)


def test_cli_rejects_unknown_key_and_bad_value(tmp_path):
  for flag, expected in (('--config.train.bogus=1',
                          "error: no config field 'bogus'"),
                         ('--config.train.lr_schedule=cosine',
                          'lr_schedule must be one of'),
                         ('--config.train.num_steps=abc',
                          'error: flag --config.train.num_steps=abc: '
                          'invalid literal for int()')):
    proc = runs.run_python(
        ['-m', 'smcp_jax.train', '--config', 'configs/toy.py',
         '--workdir', str(tmp_path), flag])
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0 and expected in out, out[-2000:]
    assert 'Traceback' not in out and 'FATAL' not in out, out[-2000:]
  proc = runs.run_python(['-m', 'smcp_jax.train', '--config', 'configs/nope.py',
                          '--workdir', str(tmp_path)])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 1 and 'Traceback' not in out, out[-2000:]
  assert "error: config file 'configs/nope.py' does not exist" in out


def test_a_workdir_that_cannot_be_made_is_one_line(toy_root, tmp_path):
  """Issue 26, item 13: a traceback. It is refused before the data is read
  and the network built, and nothing is written."""
  blocker = tmp_path / 'a_file'
  blocker.write_text('')
  proc = runs.run_python(
      ['-m', 'smcp_jax.train', '--config', 'configs/toy.py',
       f'--config.data.root={toy_root}', '--workdir', str(blocker / 'run')])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 1 and 'Traceback' not in out, out[-2000:]
  assert f'error: --workdir {blocker / "run"} cannot be made' in out
  assert os.listdir(tmp_path) == ['a_file']


def test_evaluate_cli_writes_report(toy_root, tmp_path):
  runs.train_toy(toy_root, tmp_path, 2)
  proc = runs.run_python(
      ['-m', 'smcp_jax.evaluate', '--config', 'configs/toy.py',
       f'--config.data.root={toy_root}', '--config.model.width=0.0625',
       '--config.data.image_size=33', '--config.test.episodes=20',
       '--config.test.runs=2', '--checkpoint', str(tmp_path),
       '--save-panels=2'])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  [report] = tmp_path.glob('eval_authors_fused_dense_1shot_*.json')
  summary = json.loads(report.read_text())
  for key in ('miou', 'miou_std', 'fb_iou', 'fb_iou_std', 'class_iou',
              'protocol', 'episodes', 'runs'):
    assert key in summary
  assert summary['runs'] == 2 and summary['episodes'] == 20
  assert 0 <= summary['fb_iou'] <= 100
  assert 'mIoU' in out
  panels = sorted(os.listdir(tmp_path / 'panels'))
  assert panels == ['episode_0000.png', 'episode_0001.png']
  from PIL import Image  # pylint: disable=g-import-not-at-top

  from smcp_jax.evaluation import visualize  # pylint: disable=g-import-not-at-top

  # Four rows (support, query, prediction, truth) and a legend.
  assert Image.open(tmp_path / 'panels' / panels[0]).size == (
      480, visualize.CAPTION + 4 * (visualize.TILE + visualize.CAPTION)
      + visualize.CAPTION + 4)
  # A checkpoint of another network is refused with the fix.
  proc = runs.run_python(
      ['-m', 'smcp_jax.evaluate', '--config', 'configs/toy.py',
       f'--config.data.root={toy_root}', '--checkpoint',
       str(tmp_path)])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  assert 'made for another network' in out and 'model.width' in out
  # Without --config, the run's saved config (overrides still apply); the
  # report's folder is made before the evaluation.
  report = tmp_path / 'new' / 'folder' / 'r.json'
  proc = runs.run_python(
      ['-m', 'smcp_jax.evaluate', '--checkpoint', str(tmp_path),
       '--config.test.episodes=6', '--config.test.runs=1',
       '--config.test.protocol=val', '--report', str(report)])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  saved = json.loads(report.read_text())
  assert (saved['episodes'], saved['runs']) == (6, 1)
  assert (saved['split'], saved['label_resolution']) == ('val', 'original')


NOISE = ('InitializeLog', 'oneDNN', 'cpu_feature_guard', 'read only')


@pytest.mark.parametrize('command', [
    'smcp_jax.train', 'smcp_jax.evaluate', 'smcp_jax.check_data',
    'smcp_jax.toy', 'smcp_jax.predict'])
def test_commands_print_no_library_noise(command):
  """Run as `python -m ...` directly (not through the scripts, and without
  TF_CPP_MIN_LOG_LEVEL), --help shows the help alone."""
  env = {k: v for k, v in os.environ.items() if k != 'TF_CPP_MIN_LOG_LEVEL'}
  result = subprocess.run([sys.executable, '-m', command, '--help'],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)  # absl's --help exits with 1
  assert not [n for n in NOISE if n in result.stderr], result.stderr
  assert 'usage' in result.stdout.lower() or 'flags' in result.stdout


def test_untrained_evaluation_must_be_asked_for(toy_root, tmp_path):
  base = ['-m', 'smcp_jax.evaluate', '--config', 'configs/toy.py',
          f'--config.data.root={toy_root}', '--config.model.width=0.0625',
          '--config.train.init_from=',
          '--config.data.image_size=33', '--config.test.episodes=4',
          '--config.test.runs=1']
  proc = runs.run_python(base)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 1 and 'give either --checkpoint' in out, out
  report = tmp_path / 'untrained.json'
  proc = runs.run_python(base + ['--untrained', '--report', str(report)])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert 'checkpoint: untrained' in out
  assert not [n for n in NOISE if n in out], out
  assert json.loads(report.read_text())['checkpoint'] == 'untrained'


def _tiny_step_setup(**train_overrides):
  from smcp_jax.train import trainer  # pylint: disable=g-import-not-at-top
  config = train_script.tiny_config('x', 10)
  for key, value in train_overrides.items():
    config.train[key] = value
  config = resolution.resolve(config)
  mesh = trainer.create_mesh()
  graphdef, state, tx, schedule = trainer.create_train_state(config, mesh)
  step = trainer.make_train_step(graphdef, tx, schedule, config.train, mesh)
  rng = np.random.default_rng(0)
  b, s = 4, 33
  mask = (rng.random((b, 1, s, s)) > 0.6).astype(np.uint8)
  batch = {'support_images': rng.normal(size=(b, 1, s, s, 3)),
           'support_masks': mask.astype(np.float32), 'support_label': mask,
           'support_mcl_label': mask * 3, 'query_image': rng.normal(
               size=(b, s, s, 3)), 'query_label': mask[:, 0],
           'query_mcl_label': mask[:, 0] * 3}
  batch = {k: v.astype(np.float32) if v.dtype == np.float64 else v
           for k, v in batch.items()}
  return state, step, batch


def test_frozen_encoder_only_trains_the_heads():
  state, step, batch = _tiny_step_setup(freeze_encoder=True)
  before = params_io.flatten(jax_to_numpy(state.params))
  state, _ = step(state, batch)
  after = params_io.flatten(jax_to_numpy(state.params))
  for name in before:
    moved = not np.array_equal(before[name], after[name])
    assert moved == (not name.startswith('encoder/')), name


def test_backbone_lr_scale_scales_only_the_pretrained_convs_steps():
  """SGD's first step is -lr x (gradient + decay x param): with the scale,
  the VGG convs move `scale` times as far as with the paper's one rate,
  fc6/fc7 and the heads as far."""
  moves = {}
  for scale in (1.0, 0.25):
    state, step, batch = _tiny_step_setup(backbone_lr_scale=scale,
                                          warmup_steps=0, lr=1.0)
    before = params_io.flatten(jax_to_numpy(state.params))
    state, _ = step(state, batch)
    after = params_io.flatten(jax_to_numpy(state.params))
    moves[scale] = {k: after[k] - before[k] for k in before}
  for name, full in moves[1.0].items():
    backbone = name.split('/')[1] in vgg.CONV_NAMES and name.startswith(
        'encoder/')
    np.testing.assert_allclose(moves[0.25][name],
                               full * (0.25 if backbone else 1.0),
                               rtol=1e-3, atol=1e-7, err_msg=name)
  assert any(name.startswith('encoder/conv') for name in moves[1.0])


def jax_to_numpy(params):
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  return nnx.to_pure_dict(jax.device_get(params))


def test_init_from_loads_the_backbone(tmp_path):
  from flax import nnx  # pylint: disable=g-import-not-at-top

  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.models import smcp  # pylint: disable=g-import-not-at-top
  donor = params_io.model_params(smcp.SMCP(width=1 / 16, rngs=nnx.Rngs(7)))
  backbone = {k: np.asarray(v) for k, v in donor.items()
              if k.startswith('encoder/conv')}
  params_io.save_params(str(tmp_path), backbone, model_config={
      'width': 1 / 16}, scope='backbone', source='test')
  config = train_script.tiny_config('x', 1)
  config.train.init_from = str(tmp_path)
  model = model_io.create_model(resolution.resolve(config))
  loaded = params_io.model_params(model)
  np.testing.assert_array_equal(loaded['encoder/conv3_2/kernel'],
                                backbone['encoder/conv3_2/kernel'])
  assert not np.array_equal(loaded['encoder/fc6/kernel'],
                            donor['encoder/fc6/kernel'])  # not in the file
  config.model.width = 0.125
  with pytest.raises(errors.ConfigError, match='has width 0.0625'):
    model_io.create_model(resolution.resolve(config))


def test_periodic_validation_is_logged(toy_root, tmp_path):
  runs.train_toy(toy_root, tmp_path, 2, 1, 'train.eval_every_steps=2',
                 'train.eval_episodes=8')
  with open(tmp_path / 'metrics.jsonl') as f:
    rows = [json.loads(line) for line in f]
  evals = [r for r in rows if 'eval_miou' in r]
  assert len(evals) == 1 and evals[0]['step'] == 2
  assert 0 <= evals[0]['eval_fb_iou'] <= 100


def test_evaluate_converted_authors_checkpoint(toy_root, tmp_path):
  import torch  # pylint: disable=g-import-not-at-top

  from weights_conversion import torch_reference  # pylint: disable=g-import-not-at-top
  torch.manual_seed(0)
  ref = torch_reference.AuthorsSMCP(width=1 / 16)
  torch_reference.save_as_authors_checkpoint(ref, str(tmp_path / 'a.pth'))
  proc = runs.run_python(
      ['-m', 'weights_conversion.smcp_checkpoint', '--pth',
       str(tmp_path / 'a.pth'), '--out', str(tmp_path / 'conv')])
  assert proc.communicate(timeout=300)[0] and proc.returncode == 0
  args = ['-m', 'smcp_jax.evaluate', '--config', 'configs/toy.py',
          f'--config.data.root={toy_root}', '--config.model.width=0.0625',
          '--config.data.image_size=33', '--config.test.episodes=8',
          '--config.test.runs=1', '--checkpoint', str(tmp_path / 'conv')]
  proc = runs.run_python(args)
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode != 0
  # Issue 26, item 19: the fix that works first (the field overrides alone
  # failed with another error).
  assert ("For the authors' checkpoints add --config.reference=authors_code"
          in out), out[-2000:]
  assert '--config.model.pff_extra_convs=True' not in out
  proc = runs.run_python(args + ['--config.reference=authors_code'])
  out, _ = proc.communicate(timeout=300)
  assert proc.returncode == 0, out[-3000:]
  assert 'mIoU' in out


def test_evaluation_compiles_once(toy_root, monkeypatch):
  """Every episode of every run, the padded last batch included, reuses one
  compiled inference: no recompilation per episode."""
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top

  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top
  config = resolution.resolve(train_script.tiny_config(toy_root, 1))
  graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
  jitted = []
  real_jit = jax.jit

  def recording_jit(fn, **kwargs):
    jitted.append(real_jit(fn, **kwargs))
    return jitted[-1]

  monkeypatch.setattr(model_io.jax, 'jit', recording_jit)
  summary = evaluator.evaluate(
      config, graphdef, params,
      evaluator.protocol_episodes(config.data, config.test, runs=2,
                                  episodes=10),
      batch_size=4, progress=False)
  assert summary['runs'] == 2 and summary['episodes'] == 10
  assert [f._cache_size() for f in jitted] == [1]


def test_the_bar_counts_finished_steps(toy_root, tmp_path, monkeypatch):
  """One step stays in flight: when the bar moves to n, step n + 1 has been
  dispatched and step n waited for, so its rate is the steps' real rate
  (counting at dispatch showed 20 fast steps, then a stall)."""
  import tqdm  # pylint: disable=g-import-not-at-top

  from smcp_jax.train import trainer  # pylint: disable=g-import-not-at-top
  dispatched, seen = [0], []
  next_batch = trainer._next_batch  # pylint: disable=protected-access

  def counting(*args, **kwargs):
    dispatched[0] += 1
    return next_batch(*args, **kwargs)

  class RecordingBar(tqdm.tqdm):

    def update(self, n=1):
      super().update(n)
      if self.desc.startswith('train'):
        seen.append((dispatched[0], self.n))

  monkeypatch.setattr(trainer, '_next_batch', counting)
  monkeypatch.setattr(trainer.tqdm, 'tqdm', RecordingBar)
  config = train_script.tiny_config(toy_root, 6)
  config.train.log_every_steps = 3
  trainer.train_and_evaluate(resolution.resolve(config), str(tmp_path))
  assert seen == [(2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (6, 6)]
