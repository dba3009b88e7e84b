# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Runs `python -m smcp_jax.label ARGS` in a fresh process; with
SMCP_TEST_KILL_AT_SHARD=k it SIGKILLs itself while committing its k-th
shard (the shard file written under its temporary name, not renamed).

  python -m tests.helpers.label_script ARGS...
"""

import os
import signal
import sys

from smcp_jax import label
from smcp_jax.serving import labelling


def _kill_at(shard: int):
  commit = labelling._commit  # pylint: disable=protected-access
  done = [0]

  def commit_then_die(path, content):
    done[0] += 1
    if done[0] == shard:
      with open(path + '.tmp', 'w') as f:
        f.write('{"half": ')  # a torn write
      os.kill(os.getpid(), signal.SIGKILL)
    commit(path, content)

  labelling._commit = commit_then_die  # pylint: disable=protected-access


if __name__ == '__main__':
  if os.environ.get('SMCP_TEST_KILL_AT_SHARD'):
    _kill_at(int(os.environ['SMCP_TEST_KILL_AT_SHARD']))
  label.main(sys.argv)
