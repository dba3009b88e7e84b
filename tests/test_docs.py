# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The README and docs/: every relative link and #anchor resolves, every
`python -m smcp_jax.X` they name exists and answers --help, nothing points
outside the repository, and the README stays a front page."""

import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md'))]
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)\)')
COMMAND = re.compile(r'python -m ((?:smcp_jax|weights_conversion)(?:\.\w+)*)')


def slug(heading: str) -> str:
  """GitHub's anchor of a heading: lower case, punctuation dropped, spaces
  as hyphens."""
  text = heading.strip().lower().replace('`', '')
  return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(page: pathlib.Path) -> set[str]:
  text = re.sub(r'```.*?```', '', page.read_text(), flags=re.S)
  return {slug(m) for m in re.findall(r'^#+ (.+)$', text, flags=re.M)}


def links(page: pathlib.Path):
  text = re.sub(r'```.*?```', '', page.read_text(), flags=re.S)
  for target in LINK.findall(text):
    if not re.match(r'[a-z]+:', target):  # http:, https:, mailto:
      yield target


def broken_links(page: pathlib.Path) -> list[str]:
  broken = []
  for target in links(page):
    path, _, anchor = target.partition('#')
    file = (page.parent / path).resolve() if path else page
    if not file.exists():
      broken.append(f'{target}: no file {file}')
    elif anchor and anchor not in anchors(file):
      broken.append(f'{target}: no heading #{anchor} in {file.name}')
  return broken


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(page):
  assert not broken_links(page)


def test_the_link_check_finds_a_broken_link_and_anchor(tmp_path):
  (tmp_path / 'a.md').write_text('# A page\n## Two words\n')
  page = tmp_path / 'b.md'
  page.write_text('[ok](a.md#two-words) [ok](#here) [bad](a.md#nope) '
                  '[bad](c.md) ![pic](x.png) [web](https://example.org)\n'
                  '## Here\n```\n[in code](nowhere.md)\n```\n')
  assert broken_links(page) == [
      'a.md#nope: no heading #nope in a.md',
      f'c.md: no file {tmp_path / "c.md"}',
      f'x.png: no file {tmp_path / "x.png"}']
  assert slug("The toy's encoder (`a/b_c/`)") == 'the-toys-encoder-ab_c'


def test_nothing_points_outside_the_repository():
  for page in PAGES:
    text = page.read_text()
    # The folder beside the repository that users never have.
    assert not re.search(r'\.\.[/]shared|shared[/]reference', text), page
    for target in links(page):
      resolved = (page.parent / target.partition('#')[0]).resolve()
      assert resolved.is_relative_to(ROOT), (page, target)


def test_the_readme_is_a_front_page():
  lines = (ROOT / 'README.md').read_text().splitlines()
  assert len(lines) <= 250
  first_two = [line.split('#')[0].strip() for line in lines[:2]]
  assert first_two == ['bash scripts/demo.sh', 'bash scripts/test.sh']


def _named_commands() -> list[str]:
  names = set()
  for page in PAGES:
    names.update(COMMAND.findall(page.read_text()))
  return sorted(names)


def _help(module: str) -> subprocess.CompletedProcess:
  return subprocess.run([sys.executable, '-m', module, '--help'],
                        capture_output=True, text=True, cwd=ROOT,
                        timeout=300, check=False,
                        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))


def test_every_command_the_docs_name_answers_help():
  names = _named_commands()
  assert {'smcp_jax.train', 'smcp_jax.evaluate', 'smcp_jax.predict',
          'smcp_jax.app'} <= set(names)
  with concurrent.futures.ThreadPoolExecutor(4) as pool:
    results = dict(zip(names, pool.map(_help, names)))
  failed = {name: r.stderr[-500:] for name, r in results.items()
            if r.returncode != 0 or not re.search(r'usage|flags', r.stdout,
                                                  re.I)}
  assert not failed
