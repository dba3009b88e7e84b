# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The evaluate command's pictures: where they go, and that it never says
it drew pictures it did not draw."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _evaluate(toy_root, tmp_path, cwd, *flags):
  command = [sys.executable, '-m', 'smcp_jax.evaluate', '--config',
             os.path.join(REPO, 'configs', 'toy.py'),
             f'--config.data.root={toy_root}', '--config.model.width=0.0625',
             '--config.train.init_from=', '--config.data.image_size=33',
             '--config.test.episodes=4', '--config.test.runs=1',
             '--config.test.seeds=1234',
             f'--config.data.class_index_cache={tmp_path / "cache"}',
             '--untrained', *flags]
  return subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                        timeout=300, check=False,
                        env=dict(os.environ, PYTHONPATH=REPO))


def test_untrained_panels_without_a_report_go_to_the_current_folder(
    toy_root, tmp_path):
  """Issue 26, item 8: they went to the parent of the current folder."""
  work = tmp_path / 'work'
  work.mkdir()
  proc = _evaluate(toy_root, tmp_path, work, '--save_panels', '2')
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert sorted(os.listdir(work / 'panels')) == ['episode_0000.png',
                                                  'episode_0001.png']
  assert not (tmp_path / 'panels').exists()
  assert f'pictures: {work / "panels"}' in proc.stdout


def test_protocols_with_panels_is_refused_rather_than_drawing_none(
    toy_root, tmp_path):
  """Issue 26, item 9: it printed "pictures: .../panels" and drew none."""
  proc = _evaluate(toy_root, tmp_path, tmp_path, '--protocols',
                   'authors,hsnet', '--save_panels', '2')
  assert proc.returncode == 1
  assert proc.stderr.strip().startswith('error: --protocols draws each')
  assert '--save_panels' in proc.stderr
  assert 'pictures' not in proc.stdout
  assert not (tmp_path / 'panels').exists()


def test_one_run_prints_no_spread():
  """Issue 26, item 24: one run printed "+- 0.00", where the protocols'
  table prints "-"."""
  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top
  from smcp_jax.evaluation import metrics  # pylint: disable=g-import-not-at-top
  settings = {'ways': 1, 'episodes': 10, 'protocol': 'hsnet',
              'prototype': 'fused', 'annotation': 'dense', 'shots': 1}
  runs = [{'miou': 50.0, 'fb_iou': 60.0, 'class_iou': {1: 50.0}},
          {'miou': 54.0, 'fb_iou': 62.0, 'class_iou': {1: 54.0}}]
  one = evaluator.format_table({**metrics.summarize(runs[:1]), **settings})
  assert '    mIoU    50.00 +- -\n' in one
  assert '  FB-IoU    60.00 +- -\n' in one
  two = evaluator.format_table({**metrics.summarize(runs), **settings})
  assert '    mIoU    52.00 +- 2.00 (95% CI' in two


def test_reports_of_other_settings_get_other_names(toy_root):
  """Issue 26, item 7: a 2-way evaluation overwrote the 1-way report."""
  from configs import toy  # pylint: disable=g-import-not-at-top
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top
  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top

  def path(**test):
    config = toy.get_config()
    config.data.root = toy_root
    for key, value in test.items():
      setattr(config.test, key, value)
    return evaluator.report_path('run', resolution.resolve(config))

  base = path()
  assert base == path()  # the same settings: the same report
  assert os.path.basename(base).startswith(
      'eval_authors_fused_dense_1shot_')
  others = [path(ways=2), path(episodes=50), path(runs=2, seeds=''),
            path(split='val'), path(image_size=97), path(min_area=10)]
  assert os.path.basename(others[0]).startswith(
      'eval_authors_fused_dense_2way_1shot_')
  assert len({base, *others}) == 1 + len(others)
