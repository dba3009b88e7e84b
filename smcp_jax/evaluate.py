# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
r"""Evaluates a checkpoint on the novel classes of a fold.

  python -m smcp_jax.evaluate --checkpoint runs/p0 \
      [--config configs/pascal_split0.py] [--config.test.prototype=support]

`--checkpoint` is a training workdir (its latest checkpoint; its saved
config is used when --config is not given), the params directory a run
exports, or a converted checkpoint of the authors (both need --config).
`--untrained` scores the network as training starts instead (random
init, or the encoder of `train.init_from` with random heads). Prints a
table and writes a JSON report beside the checkpoint (or to --report).

  python -m smcp_jax.evaluate --checkpoint runs/p0 --protocols authors,hsnet

scores one checkpoint under several of the field's test protocols
(data/protocols.py) and prints them side by side; the report holds each.
"""

import copy
import json
import os
import sys
import time

from absl import app
from absl import flags
from absl import logging
from flax import nnx
from ml_collections import config_flags

from smcp_jax import compile_cache
from smcp_jax import config_lib
from smcp_jax import eval_lib
from smcp_jax import model_io
from smcp_jax import params_io
from smcp_jax.data import builder
from smcp_jax.data import episode_list
from smcp_jax.data.errors import DataError

_CONFIG = config_flags.DEFINE_config_file(
    'config', None, 'config file (default: the saved config of a --checkpoint '
    'workdir)', lock_config=True)
_CHECKPOINT = flags.DEFINE_string(
    'checkpoint', None, 'training workdir, exported params directory or '
    'converted checkpoint of the authors')
_UNTRAINED = flags.DEFINE_bool(
    'untrained', False, 'score the network as training starts (random init, '
    'or train.init_from\'s encoder; a baseline) instead of a checkpoint')
_PANELS = flags.DEFINE_integer('save_panels', 0, 'pictures of the first N '
                               'episodes of run 0, into a panels/ folder '
                               'beside the report')
flags.DEFINE_alias('save-panels', 'save_panels')
_REPORT = flags.DEFINE_string('report', '', 'JSON report path (default: '
                              'beside the checkpoint; none when untrained)')
_SAVE_EPISODES = flags.DEFINE_string(
    'save_episodes', '', 'write every episode of this evaluation and its '
    'sha256 to this JSON file (README, "Episode lists")')
_EPISODES = flags.DEFINE_string(
    'episodes', '', 'replay the episode list of this JSON file (written by '
    '--save_episodes) instead of drawing the protocol\'s')
_PROTOCOLS = flags.DEFINE_list(
    'protocols', [], 'evaluate under each of these test protocols (comma '
    'separated: authors, pfenet, hsnet, bam) and print them side by side')
SAVED_RUN_CONFIG = os.path.join(os.path.dirname(__file__),
                                'saved_run_config.py')


def _parse_flags(argv):
  """config_lib.parse_flags, with a workdir's saved config as --config when
  --checkpoint is a training workdir and no --config is given."""
  checkpoint = config_lib.flag_value(argv, 'checkpoint')
  if (config_lib.flag_value(argv, 'config') is None and checkpoint
      and not params_io.holds_params(checkpoint) and os.path.isfile(
          os.path.join(checkpoint, model_io.SAVED_CONFIG))):
    argv = [argv[0], f'--config={SAVED_RUN_CONFIG}:{checkpoint}', *argv[1:]]
  return config_lib.parse_flags(argv)


def _report_path(config) -> str:
  """Where the report goes ('' for none); its folder is made now, so that
  a bad path fails before the evaluation rather than after it."""
  default = ''
  if not _UNTRAINED.value:
    default = eval_lib.report_path(_CHECKPOINT.value, config)
    if _PROTOCOLS.value:
      default = os.path.join(os.path.dirname(default), 'eval_protocols_'
                             + '_'.join(_PROTOCOLS.value) + '.json')
  path = _REPORT.value or default
  if path:
    folder = os.path.dirname(os.path.abspath(path))
    try:
      os.makedirs(folder, exist_ok=True)
    except OSError as e:
      raise DataError(f'cannot make the folder of --report {path}: {e}') from e
    if os.path.isdir(path) or not os.access(folder, os.W_OK):
      raise DataError(f'--report {path} is not a writable file path')
  return path


def _model(config):
  """(model, description) of --checkpoint or --untrained."""
  if _UNTRAINED.value == bool(_CHECKPOINT.value):
    raise DataError(
        'give either --checkpoint (a training workdir such as runs/demo, its '
        'exported params/, or converted weights of the authors) or '
        '--untrained (the network as training starts, as a baseline)')
  if _UNTRAINED.value:
    return model_io.create_model(config), 'untrained'
  return model_io.load_model(config, _CHECKPOINT.value)


def _protocol_configs(config) -> dict:
  """--protocols: the config resolved under each protocol named (what the
  config or a flag sets explicitly applies to all of them)."""
  if not _PROTOCOLS.value:
    return {}
  unknown = [p for p in _PROTOCOLS.value if p not in config_lib.CHOICES[
      'test.protocol']]
  if unknown:
    raise config_lib.ConfigError(
        f'--protocols: unknown {unknown}; choose from '
        f'{", ".join(config_lib.CHOICES["test.protocol"])}')
  if _EPISODES.value or _SAVE_EPISODES.value:
    raise config_lib.ConfigError('--protocols draws each protocol\'s own '
                                 'episodes: leave out --episodes and '
                                 '--save_episodes')
  configs = {}
  for name in _PROTOCOLS.value:
    each = copy.deepcopy(config)
    each.test.protocol = name
    configs[name] = config_lib.resolve(each)
  return configs


def _timed_evaluate(config, graphdef, params, episode_runs,
                    **kwargs) -> dict:
  start = time.perf_counter()
  summary = eval_lib.evaluate(config, graphdef, params, episode_runs,
                              **kwargs)
  summary['seconds'] = time.perf_counter() - start
  summary['episodes_per_s'] = (summary['runs'] * summary['episodes']
                               / summary['seconds'])
  return summary


def main(argv):
  del argv
  if not flags.FLAGS['verbosity'].present:
    logging.set_verbosity(logging.WARNING)  # orbax logs every save at INFO
  compile_cache.enable()
  if _CHECKPOINT.value and not os.path.exists(_CHECKPOINT.value):
    sys.exit(f'error: checkpoint {_CHECKPOINT.value!r} does not exist')
  if _CONFIG.value is None:
    sys.exit('error: give --config (e.g. configs/toy.py); it may be left out '
             'only when --checkpoint is a training workdir, whose saved '
             'config is then used')
  try:
    config = config_lib.resolve(_CONFIG.value)
    protocol_configs = _protocol_configs(_CONFIG.value)
    model, source = _model(config)
    path = _report_path(config)
    panels = os.path.join(os.path.dirname(os.path.abspath(path or '.')),
                          'panels')
    graphdef, params = nnx.split(model, nnx.Param)
    if protocol_configs:
      summaries = {}
      for name, each in protocol_configs.items():
        print(f'protocol {name} ...', flush=True)
        summaries[name] = _timed_evaluate(
            each, graphdef, params, eval_lib.protocol_episodes(each))
      summary = {'checkpoint': source, 'protocols': summaries}
    else:
      episode_runs = (
          episode_list.read(_EPISODES.value, config,
                            builder.test_class_index(config, min_area=0))
          if _EPISODES.value else eval_lib.protocol_episodes(config))
      if _SAVE_EPISODES.value:
        episode_list.write(_SAVE_EPISODES.value, config, episode_runs)
      summary = _timed_evaluate(config, graphdef, params, episode_runs,
                                panels_dir=panels,
                                num_panels=_PANELS.value)
  except KeyboardInterrupt:
    print('\ninterrupted; no report written', file=sys.stderr)
    sys.exit(130)
  except (DataError, config_lib.ConfigError, FileNotFoundError,
          params_io.ParamsMismatchError) as e:
    sys.exit(f'error: {e}')
  summary['checkpoint'] = source
  print(eval_lib.format_protocols_table(summary['protocols'])
        if 'protocols' in summary else eval_lib.format_table(summary))
  if path:
    with open(path, 'w') as f:
      json.dump(summary, f, indent=2)
    print(f'report: {path}')
  else:
    print('no report written (add --report FILE for one)')
  if _SAVE_EPISODES.value:
    print(f'episodes: {_SAVE_EPISODES.value} (sha256 '
          f'{summary["episodes_sha256"]})')
  if _PANELS.value:
    print(f'pictures: {panels}')


if __name__ == '__main__':
  app.run(main, flags_parser=_parse_flags)
