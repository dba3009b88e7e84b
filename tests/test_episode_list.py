# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episode lists: saved, hashed, replayed to the same numbers, and every
damaged or mismatched list refused with its reason."""

import json
import os
import subprocess
import sys

import pytest

from configs import toy as toy_config
from smcp_jax.checkpoints import model_io
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.errors import DataError
from smcp_jax.evaluation import episode_list
from smcp_jax.evaluation import evaluator

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config(root, tmp_path, seed=0, **test):
  config = toy_config.get_config()
  config.seed = seed
  config.data.root = root
  config.data.image_size = 33
  config.model.width = 0.0625
  config.train.init_from = ''
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.test.episodes = 12
  config.test.runs = 2
  for key, value in test.items():
    setattr(config.test, key, value)
  return resolution.resolve(config)


def _saved(toy_root, tmp_path, **test):
  config = _config(toy_root, tmp_path, **test)
  runs = evaluator.protocol_episodes(config.data, config.test)
  path = str(tmp_path / 'episodes.json')
  digest = episode_list.write(path, config, runs)
  return config, runs, path, digest


def _read(path, config):
  return episode_list.read(
      path, config, builder.test_class_index(config.data, config.test))


def test_a_saved_list_reads_back_as_the_same_episodes(toy_root, tmp_path):
  config, runs, path, digest = _saved(toy_root, tmp_path,
                                      annotation='scribble')
  assert _read(path, config) == runs
  assert digest == episode_list.sha256(config, runs)
  listing = json.load(open(path))
  assert listing['sha256'] == digest and len(listing['episodes']) == 24
  first = listing['episodes'][0]
  assert first['run'] == 0 and first['seed'] == 0
  assert listing['episodes'][12]['seed'] == 1  # run 1: seed + 1
  assert listing['settings']['annotation'] == 'scribble'
  # Another seed draws other episodes, with another hash.
  other = _config(toy_root, tmp_path, seed=7, annotation='scribble')
  assert episode_list.sha256(
      other, evaluator.protocol_episodes(other.data, other.test)) != digest


def _edit(path, change, rehash=False):
  listing = json.load(open(path))
  change(listing)
  if rehash:
    listing['sha256'] = episode_list._digest(listing['settings'],
                                             listing['episodes'])
  with open(path, 'w') as f:
    json.dump(listing, f)


def test_editing_one_id_changes_the_hash_and_is_refused(toy_root, tmp_path):
  config, runs, path, digest = _saved(toy_root, tmp_path)
  other_image = runs[1][0].query_id

  def swap(listing):
    listing['episodes'][0]['query_id'] = other_image

  _edit(path, swap)
  with pytest.raises(DataError, match='was edited or damaged: its content '
                     'hashes to [0-9a-f]{64}, the file says ' + digest):
    _read(path, config)


@pytest.mark.parametrize('field, value, message', [
    ('query_id', 'toy_999999', "query 'toy_999999' holds none of its classes"),
    ('class_id', 7, 'has class 7, not a novel class of fold 0'),
    ('support_ids', [], 'has 0 supports, not 1'),
])
def test_a_consistent_but_wrong_list_is_refused(toy_root, tmp_path, field,
                                               value, message):
  config, _, path, _ = _saved(toy_root, tmp_path)

  def change(listing):
    listing['episodes'][3][field] = value

  _edit(path, change, rehash=True)
  with pytest.raises(DataError, match=f'run 0 episode 3.*{message}'):
    _read(path, config)


def test_other_settings_and_other_files_are_refused(toy_root, tmp_path):
  _, _, path, _ = _saved(toy_root, tmp_path)
  with pytest.raises(DataError, match=r"other settings: annotation: 'dense' "
                     r"\(list\) vs 'bbox' \(config\)"):
    _read(path, _config(toy_root, tmp_path, annotation='bbox'))
  (tmp_path / 'bad.json').write_text('{"episodes": [')
  with pytest.raises(DataError, match='bad.json is not JSON'):
    _read(str(tmp_path / 'bad.json'), _config(toy_root, tmp_path))
  (tmp_path / 'other.json').write_text('{"miou": 3}')
  with pytest.raises(DataError, match='not an episode list of this code'):
    _read(str(tmp_path / 'other.json'), _config(toy_root, tmp_path))
  with pytest.raises(DataError, match='does not exist'):
    _read(str(tmp_path / 'none.json'), _config(toy_root, tmp_path))


def test_a_replayed_list_scores_the_same_under_another_seed(toy_root,
                                                           tmp_path):
  """Everything random (images, boxes) comes from the list, not the config."""
  from flax import nnx  # pylint: disable=g-import-not-at-top
  config, runs, path, _ = _saved(toy_root, tmp_path, annotation='bbox')
  graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
  score = lambda c, r: evaluator.evaluate(c, graphdef, params, r,
                                          progress=False)
  reseeded = _config(toy_root, tmp_path, seed=5, annotation='bbox')
  original = score(config, runs)
  assert score(reseeded, _read(path, reseeded)) == original
  again = evaluator.protocol_episodes(reseeded.data, reseeded.test)
  assert (score(reseeded, again)['episodes_sha256']
          != original['episodes_sha256'])


def _evaluate(toy_root, tmp_path, *flags):
  command = [sys.executable, '-m', 'smcp_jax.evaluate', '--config',
             'configs/toy.py', f'--config.data.root={toy_root}',
             '--config.model.width=0.0625', '--config.train.init_from=',
             '--config.data.image_size=33', '--config.test.episodes=12',
             '--config.test.runs=2', '--config.test.annotation=bbox',
             f'--config.data.class_index_cache={tmp_path / "cache"}',
             '--untrained', *flags]
  proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                        timeout=300, check=False)
  return proc.returncode, proc.stdout + proc.stderr


def test_evaluate_saves_and_replays_to_the_same_numbers(toy_root, tmp_path):
  """bbox supports: the replay also redraws the same random boxes."""
  listing = tmp_path / 'list.json'
  code, out = _evaluate(toy_root, tmp_path, '--save_episodes', str(listing),
                        '--report', str(tmp_path / 'a.json'))
  assert code == 0, out[-2000:]
  assert f'episodes: {listing} (sha256 ' in out
  code, out = _evaluate(toy_root, tmp_path, '--episodes', str(listing),
                        '--report', str(tmp_path / 'b.json'))
  assert code == 0, out[-2000:]
  timing = ('seconds', 'episodes_per_s')  # the only fields that may differ
  first, second = ({k: v for k, v in json.load(open(tmp_path / name)).items()
                    if k not in timing} for name in ('a.json', 'b.json'))
  assert first == second
  assert first['episodes_sha256'] == json.load(open(listing))['sha256']
  code, out = _evaluate(toy_root, tmp_path, '--episodes', str(listing),
                        '--config.test.annotation=dense')
  assert code == 1 and 'error: ' in out and 'other settings' in out, out
  assert 'Traceback' not in out
