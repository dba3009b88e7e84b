# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episode lists you can hash and replay.

An evaluation is fixed by its episodes: per run, which class, which
support and query images, and the seed of everything random in the
arrays (weak annotations). `evaluate --save_episodes F.json` writes them
with the settings that shape their arrays and a sha256 over both;
`--episodes F.json` replays exactly that list; every report carries
`episodes_sha256`, so two reports are comparable when their hashes match.
"""

import hashlib
import json

import ml_collections

from smcp_jax.data import builder
from smcp_jax.data.pipeline.episodes import Episode
from smcp_jax.errors import DataError

FORMAT = 'smcp_jax.episodes.v3'  # v3: the labels' nearest rule
# v2 lists (before label_nearest) resized labels by PIL's rule.
READABLE = {'smcp_jax.episodes.v2': {'label_nearest': 'pil'}, FORMAT: {}}


def settings(config: ml_collections.ConfigDict) -> dict:
  """What, besides the episodes, decides the arrays and their scoring."""
  data, test = config.data, config.test
  return {'dataset': data.dataset, 'fold': data.fold,
          'coco_split': data.coco_split, 'split': test.split,
          'shots': data.shots, 'image_size': test.image_size,
          'resize': test.resize, 'label_resolution': test.label_resolution,
          'label_nearest': test.label_nearest,
          'annotation': test.annotation, 'box_choice': test.box_choice,
          'ways': test.ways}


def _records(episode_runs: list[list[Episode]]) -> list[dict]:
  """One dict an episode; N-way ones add 'other_ways' ([class, supports]
  of ways 2..N), so 1-way lists hash as before."""
  records = []
  for run, episodes in enumerate(episode_runs):
    for e in episodes:
      record = {'run': run, 'index': e.index, 'class_id': e.class_id,
                'support_ids': list(e.support_ids), 'query_id': e.query_id,
                'seed': e.seed}
      if e.other_ways:
        record['other_ways'] = [[c, list(ids)] for c, ids in e.other_ways]
      records.append(record)
  return records


def _digest(settings_: dict, records: list[dict]) -> str:
  canonical = json.dumps({'settings': settings_, 'episodes': records},
                         sort_keys=True, separators=(',', ':'))
  return hashlib.sha256(canonical.encode()).hexdigest()


def sha256(config, episode_runs: list[list[Episode]]) -> str:
  """The hash a report carries: settings and every episode."""
  return _digest(settings(config), _records(episode_runs))


def write(path: str, config, episode_runs: list[list[Episode]]) -> str:
  """Writes the list; returns its sha256."""
  records = _records(episode_runs)
  digest = _digest(settings(config), records)
  try:
    with open(path, 'w') as f:
      json.dump({'format': FORMAT, 'sha256': digest,
                 'settings': settings(config), 'episodes': records}, f,
                indent=1)
  except OSError as e:
    raise DataError(f'cannot write the episode list {path}: {e.strerror}'
                    ) from None
  return digest


def _load(path: str) -> dict:
  try:
    with open(path) as f:
      listing = json.load(f)
  except FileNotFoundError:
    raise DataError(f'episode list {path} does not exist') from None
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise DataError(f'episode list {path} is not JSON ({e}); write one with '
                    'evaluate --save_episodes') from None
  if not isinstance(listing, dict) or listing.get('format') not in READABLE:
    raise DataError(f'{path} is not an episode list of this code (format '
                    f'{FORMAT!r}); write one with evaluate --save_episodes')
  return listing


def read(path: str, config, class_index) -> list[list[Episode]]:
  """The runs of a saved list, checked against its hash, the config and
  the data set (`class_index`: the test split's images per class)."""
  listing = _load(path)
  try:
    records = listing['episodes']
    episodes = [(r['run'], Episode(
        int(r['index']), int(r['class_id']), tuple(r['support_ids']),
        r['query_id'], int(r['seed']),
        tuple((int(c), tuple(ids)) for c, ids in r.get('other_ways', ()))))
                for r in records]
  except (KeyError, TypeError, ValueError) as e:
    raise DataError(f'{path}: a damaged episode ({e!r} missing or wrong)'
                    ) from None
  digest = _digest(listing.get('settings'), records)
  if digest != listing.get('sha256'):
    raise DataError(f'{path} was edited or damaged: its content hashes to '
                    f'{digest}, the file says {listing.get("sha256")}')
  listed = {**READABLE[listing['format']], **listing['settings']}
  differ = [f'{k}: {listed.get(k)!r} (list) vs {v!r} (config)'
            for k, v in settings(config).items() if listed.get(k) != v]
  if differ:
    raise DataError(f'{path} was made with other settings: '
                    + '; '.join(differ) + '. Pass the same --config.* '
                    'values, or evaluate without --episodes.')
  novel = set(builder.class_split(config.data)[1])
  runs = {}
  for run, e in episodes:
    if len(e.ways) != config.test.ways:
      raise DataError(f'{path}: run {run} episode {e.index} has '
                      f'{len(e.ways)} ways, not config.test.ways='
                      f'{config.test.ways}')
    for class_id, support_ids in e.ways:
      if class_id not in novel:
        raise DataError(f'{path}: run {run} episode {e.index} has class '
                        f'{class_id}, not a novel class of fold '
                        f'{config.data.fold} ({sorted(novel)})')
      images = set(class_index.get(class_id, ()))
      for image_id in support_ids:
        if image_id not in images:
          raise DataError(
              f'{path}: run {run} episode {e.index}: image {image_id!r} is '
              f'not an image of class {class_id} in split '
              f'{config.test.split!r}')
      if len(support_ids) != config.data.shots:
        raise DataError(f'{path}: run {run} episode {e.index} has '
                        f'{len(support_ids)} supports, not '
                        f'{config.data.shots}')
    if not any(e.query_id in class_index.get(c, ()) for c, _ in e.ways):
      raise DataError(
          f'{path}: run {run} episode {e.index}: query {e.query_id!r} holds '
          f'none of its classes in split {config.test.split!r}')
    runs.setdefault(run, []).append(e)
  if sorted(runs) != list(range(len(runs))):
    raise DataError(f'{path}: runs must be numbered 0..N-1, got '
                    f'{sorted(runs)}')
  return [runs[r] for r in range(len(runs))]
