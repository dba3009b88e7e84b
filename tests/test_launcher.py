# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The one launcher and flag system of every command: --help, one `error:`
line for bad input (exit 1), 130 on Ctrl-C, a traceback only for a bug,
the old hyphenated spellings, commands that import together."""

import importlib
import pathlib
import signal
import subprocess
import sys
import time
import tomllib

from absl import flags
import pytest

from smcp_jax import errors
from smcp_jax.cli import arguments
from smcp_jax.cli import launcher

COMMANDS = ('smcp_jax.train.__main__', 'smcp_jax.evaluate', 'smcp_jax.predict',
            'smcp_jax.app', 'smcp_jax.prepare', 'smcp_jax.check_data',
            'smcp_jax.toy.__main__', 'smcp_jax.toy.encoder',
            'smcp_jax.toy.custom_set', 'smcp_jax.coco_labels',
            'smcp_jax.custom_layout', 'smcp_jax.label', 'smcp_jax.summary')


def _command(run, **defined):
  flag_values = flags.FlagValues()
  for name, default in defined.items():
    flags.DEFINE_string(name, default, name, flag_values=flag_values)
  arguments.add_hyphenated_aliases(flag_values)
  return flag_values


def test_every_command_imports_beside_the_others_with_its_own_flags():
  modules = [importlib.import_module(name) for name in COMMANDS]
  for module in modules:
    assert isinstance(module.FLAGS, flags.FlagValues), module.__name__
    assert module.FLAGS is not flags.FLAGS


def test_help_prints_the_docstring_and_the_flags_and_exits_0(capsys):
  from smcp_jax import predict  # pylint: disable=g-import-not-at-top
  with pytest.raises(SystemExit) as exit_:
    predict.main(['--help'])
  assert exit_.value.code == 0
  out = capsys.readouterr().out
  assert out.startswith(predict.__doc__.strip().split('\n')[0])
  assert '  --support_mask:' in out and '--support-mask' not in out


def test_a_user_error_is_one_line_and_exit_1():
  def run(argv):
    del argv
    raise errors.DataError('no such image x.jpg; give another')
  with pytest.raises(SystemExit) as exit_:
    launcher.main(run, _command(run), [], uses_jax=False)
  assert exit_.value.code == 'error: no such image x.jpg; give another'


def test_a_flag_mistake_is_one_line():
  def run(argv):
    del argv
  with pytest.raises(SystemExit) as exit_:
    launcher.main(run, _command(run, out='x'), ['--ou=y'], uses_jax=False)
  assert exit_.value.code.startswith("error: Unknown command line flag 'ou'")


def test_ctrl_c_exits_130_with_what_it_leaves(capsys):
  def run(argv):
    del argv
    raise KeyboardInterrupt
  with pytest.raises(SystemExit) as exit_:
    launcher.main(run, _command(run), [], uses_jax=False,
                  interrupted='nothing written')
  assert exit_.value.code == 130
  assert capsys.readouterr().err == '\ninterrupted; nothing written\n'


def test_a_bug_keeps_its_traceback():
  def run(argv):
    del argv
    raise ZeroDivisionError('a bug')
  with pytest.raises(ZeroDivisionError):
    launcher.main(run, _command(run), [], uses_jax=False)


def test_the_old_hyphenated_spelling_reads_as_the_new():
  seen = {}

  def run(argv):
    seen['argv'] = argv
  flag_values = _command(run, support_mask='')
  launcher.main(run, flag_values, ['--support-mask', 'm.png', 'extra'],
                uses_jax=False)
  assert flag_values.support_mask == 'm.png' and seen['argv'][1:] == ['extra']
  launcher.main(run, flag_values, [], uses_jax=False)  # defaults again
  assert flag_values.support_mask == ''


def test_space_separated_lists_spread_into_repeated_flags():
  argv = ['--query', 'a.jpg', 'b.jpg', '--out', 'o', 'rest',
          '--query-mask', 'm1', 'm2']
  assert arguments.spread(argv, ('query', 'query-mask')) == [
      '--query', 'a.jpg', '--query', 'b.jpg', '--out', 'o', 'rest',
      '--query-mask', 'm1', '--query-mask', 'm2']


def test_predict_takes_both_list_spellings():
  from smcp_jax import predict  # pylint: disable=g-import-not-at-top
  base = ['--checkpoint', 'c', '--support', 's.jpg', '--out', 'o']
  spaced = predict.parse_args(base + ['--query', 'a.jpg', 'b.jpg'])
  repeated = predict.parse_args(base + ['--query=a.jpg', '--query=b.jpg'])
  assert spaced.query == repeated.query == ['a.jpg', 'b.jpg']


def _console_scripts() -> dict[str, str]:
  with open(pathlib.Path(__file__).resolve().parent.parent / 'pyproject.toml',
            'rb') as f:
    return tomllib.load(f)['project']['scripts']


def test_every_console_script_is_a_command_main():
  scripts = _console_scripts()
  assert {'smcp-train', 'smcp-evaluate', 'smcp-predict', 'smcp-app'} <= set(
      scripts)
  targets = {}
  for name, target in scripts.items():
    module, function = target.split(':')
    assert function == 'main' and module in COMMANDS, name
    targets[module] = name
  assert set(targets) == set(COMMANDS)  # one script per command


@pytest.mark.parametrize('script', ['smcp-train', 'smcp-predict'])
def test_an_installed_console_script_answers_help(script):
  path = pathlib.Path(sys.executable).parent / script
  if not path.exists():
    pytest.skip(f'{script} is not installed beside {sys.executable} (pip '
                'install -e . puts it there)')
  proc = subprocess.run([str(path), '--help'], capture_output=True,
                        text=True, timeout=300, check=False)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert '\nflags:\n' in proc.stdout and '  --' in proc.stdout


def test_every_flag_answers_to_its_hyphenated_spelling():
  """Issue 26, item 17: evaluate took --save-panels but not
  --save-episodes; now every command takes both spellings of every flag
  (the underscore is the one --help shows)."""
  for name in COMMANDS:
    flag_values = importlib.import_module(name).FLAGS
    for flag in list(flag_values):
      if '_' in flag and flag != 'verbosity':
        assert flag.replace('_', '-') in flag_values, (name, flag)
  from smcp_jax import evaluate  # pylint: disable=g-import-not-at-top
  assert 'save-episodes' in evaluate.FLAGS


@pytest.mark.parametrize('module', ['smcp_jax.train', 'smcp_jax.evaluate',
                                    'smcp_jax.check_data', 'smcp_jax.predict'])
def test_help_and_flag_errors_come_before_jax_and_tf(module):
  """Issue 26, item 20: evaluate --help and a flag typo took 10-14 s (JAX
  and TF imported first), and the help did not say where the config's
  fields are listed. Here any import of JAX, Flax or TF fails."""
  code = ('import runpy, sys\n'
          'for name in ("jax", "flax", "tensorflow"):\n'
          '  sys.modules[name] = None\n'
          f'runpy.run_module({module!r}, run_name="__main__", '
          'alter_sys=True)\n')

  def command(*args):
    return subprocess.run([sys.executable, '-c', code, *args],
                          capture_output=True, text=True, timeout=120,
                          check=False)
  shown = command('--help')
  assert shown.returncode == 0, shown.stderr[-2000:]
  assert '\nflags:\n' in shown.stdout
  if module != 'smcp_jax.predict':
    assert 'smcp_jax/config_lib/defaults.py' in shown.stdout
  typo = command('--nope')
  assert typo.returncode == 1, typo.stderr[-2000:]
  assert typo.stderr == "error: Unknown command line flag 'nope'. See --help.\n"


def test_ctrl_c_while_jax_imports_ends_the_command_in_one_line(tmp_path):
  """Issue 26, item 23: Ctrl-C could print tracebacks ("Event loop is
  closed"; "Exception ignored in _xla_gc_callback ... KeyboardInterrupt",
  after which predict ran on and exited 0). SIGINT at several moments of
  a predict start: each ends it with the one line and status 130."""
  from tests.helpers import images  # pylint: disable=g-import-not-at-top
  image, mask = images.scene(60, 50, 0)
  support = images.save(tmp_path / 's.png', image)
  support_mask = images.save(tmp_path / 'm.png', mask.astype('uint8') * 255)
  command = [sys.executable, '-m', 'smcp_jax.predict', '--checkpoint',
             str(tmp_path / 'nothing_yet'), '--support', support,
             '--support_mask', support_mask, '--query', support, '--out',
             str(tmp_path / 'out')]
  for delay in (0.5, 0.8, 1.1, 1.4):
    proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            cwd=pathlib.Path(__file__).parent.parent)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 1:  # it got to the missing checkpoint first
      assert err.startswith('error: checkpoint'), err
      continue
    assert proc.returncode == 130, (delay, proc.returncode, err)
    assert err.endswith('\ninterrupted; --out is as it was\n'), err
    assert 'Traceback' not in err and 'Exception ignored' not in err, err
