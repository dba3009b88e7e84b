# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A web app: annotate support images in the browser, segment many
queries, download the masks.

  python -m smcp_jax.app --checkpoint runs/demo [--host 127.0.0.1] [--port 7860]

Everything runs on this machine (serving/web_app.py says how); the network
and Gradio are imported after the arguments are read.
"""

import os

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.serving import web_app

FLAGS = flags.FlagValues()
_CHECKPOINT = flags.DEFINE_string(
    'checkpoint', None, 'training workdir, exported or converted params',
    required=True, flag_values=FLAGS)
_HOST = flags.DEFINE_string('host', '127.0.0.1', 'address to bind (default: '
                            'this machine only)', flag_values=FLAGS)
_PORT = flags.DEFINE_integer('port', 7860, 'port', flag_values=FLAGS)
_BATCH_SIZE = flags.DEFINE_integer('batch_size', 4, 'queries per forward '
                                   'pass', lower_bound=1, flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def run(argv) -> None:
  del argv
  os.environ.update(web_app.PRIVATE_ENV)
  # pylint: disable=g-import-not-at-top
  from smcp_jax.serving import predictor as predictor_lib
  predictor = predictor_lib.Predictor(_CHECKPOINT.value,
                                      batch_size=_BATCH_SIZE.value)
  page, theme = web_app.build_app(predictor, web_app.toy_example())
  page.launch(server_name=_HOST.value, server_port=_PORT.value, quiet=True,
              prevent_thread_lock=True, theme=theme, ssr_mode=False,
              max_file_size=web_app.MAX_UPLOAD, show_error=True)
  print(f'smcp-jax app: http://{_HOST.value}:{_PORT.value} (Ctrl-C to stop)',
        flush=True)
  try:
    page.block_thread()
  except KeyboardInterrupt:
    pass
  finally:
    page.close()


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
