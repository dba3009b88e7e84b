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

from absl import flags
from ml_collections import config_flags

from smcp_jax import errors
from smcp_jax.checkpoints import layout
from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.data import protocols
from smcp_jax.errors import DataError
from smcp_jax.errors import UserError

FLAGS = flags.FlagValues()
_CONFIG = config_flags.DEFINE_config_file(
    'config', None, 'config file (default: the saved config of a --checkpoint '
    'workdir)', flag_values=FLAGS, lock_config=True)
_CHECKPOINT = flags.DEFINE_string(
    'checkpoint', None, 'training workdir, exported params directory or '
    'converted checkpoint of the authors', flag_values=FLAGS)
_UNTRAINED = flags.DEFINE_bool(
    'untrained', False, 'score the network as training starts (random init, '
    'or train.init_from\'s encoder; a baseline) instead of a checkpoint',
    flag_values=FLAGS)
_PANELS = flags.DEFINE_integer(
    'save_panels', 0, 'pictures of the first N episodes of run 0, into a '
    'panels/ folder beside the report (without one: in the current folder)',
    flag_values=FLAGS)
_REPORT = flags.DEFINE_string(
    'report', '', 'JSON report path (default: beside the checkpoint; none '
    'when untrained)', flag_values=FLAGS)
_SAVE_EPISODES = flags.DEFINE_string(
    'save_episodes', '', 'write every episode of this evaluation and its '
    'sha256 to this JSON file (docs/protocols.md, "Episode lists")',
    flag_values=FLAGS)
_EPISODES = flags.DEFINE_string(
    'episodes', '', 'replay the episode list of this JSON file (written by '
    '--save_episodes) instead of drawing the protocol\'s', flag_values=FLAGS)
_PROTOCOLS = flags.DEFINE_list(
    'protocols', [], 'evaluate under each of these test protocols (comma '
    'separated: authors, pfenet, hsnet, bam) and print them side by side',
    flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)
SAVED_RUN_CONFIG = os.path.join(os.path.dirname(__file__), 'config_lib',
                                'saved_run_config.py')


def _parse(flag_values, argv):
  """arguments.parse, with a workdir's saved config as --config when
  --checkpoint is a training workdir and no --config is given."""
  checkpoint = arguments.flag_value(argv, 'checkpoint')
  if (arguments.flag_value(argv, 'config') is None and checkpoint
      and not layout.holds_params(checkpoint) and os.path.isfile(
          os.path.join(checkpoint, layout.SAVED_CONFIG))):
    argv = [argv[0], f'--config={SAVED_RUN_CONFIG}:{checkpoint}', *argv[1:]]
  return arguments.parse(flag_values, argv)


def _report_path(config) -> str:
  """Where the report goes ('' for none); its folder is made now, so that
  a bad path fails before the evaluation rather than after it."""
  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top
  default = ''
  if not _UNTRAINED.value:
    default = evaluator.report_path(_CHECKPOINT.value, config)
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
  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
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
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top
  unknown = [p for p in _PROTOCOLS.value if p not in protocols.NAMES]
  if unknown:
    raise errors.ConfigError(
        f'--protocols: unknown {unknown}; choose from '
        f'{", ".join(protocols.NAMES)}')
  if _EPISODES.value or _SAVE_EPISODES.value or _PANELS.value:
    raise errors.ConfigError('--protocols draws each protocol\'s own '
                             'episodes: leave out --episodes, '
                             '--save_episodes and --save_panels (draw the '
                             'pictures of one protocol at a time)')
  configs = {}
  for name in _PROTOCOLS.value:
    each = copy.deepcopy(config)
    each.test.protocol = name
    configs[name] = resolution.resolve(each)
  return configs


def _timed_evaluate(config, graphdef, params, episode_runs,
                    **kwargs) -> dict:
  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top
  start = time.perf_counter()
  summary = evaluator.evaluate(config, graphdef, params, episode_runs,
                               **kwargs)
  summary['seconds'] = time.perf_counter() - start
  summary['episodes_per_s'] = (summary['runs'] * summary['episodes']
                               / summary['seconds'])
  return summary


def run(argv):
  del argv
  if _CHECKPOINT.value and not os.path.exists(_CHECKPOINT.value):
    raise UserError(f'checkpoint {_CHECKPOINT.value!r} does not exist')
  if _CONFIG.value is None:
    raise UserError('give --config (e.g. configs/toy.py); it may be left out '
                    'only when --checkpoint is a training workdir, whose '
                    'saved config is then used')
  # Imported here, so that --help and flag errors need no JAX or TF.
  # pylint: disable=g-import-not-at-top
  from flax import nnx

  from smcp_jax.config_lib import resolution
  from smcp_jax.data import builder
  from smcp_jax.evaluation import episode_list
  from smcp_jax.evaluation import evaluator
  config = resolution.resolve(_CONFIG.value)
  note = evaluator.cut_short_note(config.data, config.test)
  if note:
    print(note, file=sys.stderr)
  protocol_configs = _protocol_configs(_CONFIG.value)
  model, source = _model(config)
  path = _report_path(config)
  # Beside the report; without one, in the current folder.
  panels = os.path.join(os.path.dirname(os.path.abspath(path)) if path
                        else os.getcwd(), 'panels')
  graphdef, params = nnx.split(model, nnx.Param)
  if protocol_configs:
    summaries = {}
    for name, each in protocol_configs.items():
      print(f'protocol {name} ...', flush=True)
      summaries[name] = _timed_evaluate(
          each, graphdef, params,
          evaluator.protocol_episodes(each.data, each.test))
    summary = {'checkpoint': source, 'protocols': summaries}
  else:
    episode_runs = (
        episode_list.read(_EPISODES.value, config,
                          builder.test_class_index(config.data, config.test,
                                                   min_area=0))
        if _EPISODES.value
        else evaluator.protocol_episodes(config.data, config.test))
    if _SAVE_EPISODES.value:
      episode_list.write(_SAVE_EPISODES.value, config, episode_runs)
    summary = _timed_evaluate(config, graphdef, params, episode_runs,
                              panels_dir=panels,
                              num_panels=_PANELS.value)
  summary['checkpoint'] = source
  print(evaluator.format_protocols_table(summary['protocols'])
        if 'protocols' in summary else evaluator.format_table(summary))
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


def main(argv=None):
  launcher.main(run, FLAGS, argv, parse=_parse,
                interrupted='no report written')


if __name__ == '__main__':
  main()
