# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The web app: in a real browser (Debian's chromium, driven headless by
Playwright), and under 8 concurrent API clients.

Without a browser these tests skip with a line on how to install one;
under CI (CI=true) a missing browser fails instead.
"""

import concurrent.futures
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

import numpy as np
from PIL import Image
import pytest

from smcp_jax.errors import DataError
from smcp_jax.serving import predictor as inference
from smcp_jax.serving import web_app
from tests.helpers import images

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE = 33
BROWSER = shutil.which('chromium') or shutil.which('chromium-browser')


def _need_browser():
  if BROWSER:
    return
  message = ('no chromium: install it with `apt-get install -y chromium` '
             '(the tests drive it with Playwright; nothing is downloaded)')
  if os.environ.get('CI') == 'true':
    pytest.fail(message)
  pytest.skip(message)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
  return images.tiny_params(tmp_path_factory.mktemp('app') / 'params', SIZE)


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


@pytest.fixture(scope='module')
def server(checkpoint, tmp_path_factory):
  """The app on a free loopback port: (url, process)."""
  port = _free_port()
  proc = subprocess.Popen(
      [sys.executable, '-m', 'smcp_jax.app', '--checkpoint', checkpoint,
       '--port', str(port), '--batch-size', '2'],
      cwd=tmp_path_factory.mktemp('cwd'), stdout=subprocess.PIPE,
      stderr=subprocess.STDOUT, text=True,
      env=dict(os.environ, PYTHONPATH=ROOT))
  url = f'http://127.0.0.1:{port}'
  _wait_for(url, proc)
  yield url, proc
  proc.terminate()
  proc.wait(timeout=30)


def _wait_for(url, proc):
  """Until the server at `url` answers (a login page counts)."""
  deadline = time.time() + 180
  while time.time() < deadline:
    try:
      urllib.request.urlopen(url, timeout=2)
      return
    except urllib.error.HTTPError:
      return
    except OSError:
      assert proc.poll() is None, proc.stdout.read()
      time.sleep(0.5)
  raise TimeoutError(f'{url} did not answer in 180 s')


def _scene(h, w, seed):
  """A noisy image with a bright rectangle, and the rectangle's mask."""
  rng = np.random.default_rng(seed)
  image = rng.integers(0, 120, (h, w, 3), dtype=np.uint8)
  mask = np.zeros((h, w), bool)
  mask[h // 4:3 * h // 4, w // 4:3 * w // 4] = True
  image[mask] = (230, 60, 40)
  return image, mask


def _files(tmp_path):
  paths = {}
  for name, (h, w, seed) in {'support': (120, 160, 0), 'q1': (90, 70, 1),
                             'q2': (64, 100, 2)}.items():
    paths[name] = str(tmp_path / f'{name}.png')
    Image.fromarray(_scene(h, w, seed)[0]).save(paths[name])
  return paths


def _download(url: str) -> dict:
  """The files of a predictions.zip, by name."""
  with urllib.request.urlopen(url, timeout=30) as response:
    archive = zipfile.ZipFile(io.BytesIO(response.read()))
  return {name: archive.read(name) for name in archive.namelist()}


def _png(data: bytes) -> np.ndarray:
  return np.asarray(Image.open(io.BytesIO(data)))


def _page(playwright, url, tmp_path):
  browser = playwright.chromium.launch(executable_path=BROWSER,
                                       args=['--no-sandbox'])
  page = browser.new_page(viewport={'width': 1400, 'height': 1000},
                          accept_downloads=True)
  requests = []
  page.on('request', lambda request: requests.append(request.url))
  page.goto(url)
  page.wait_for_selector('#segment', timeout=60_000)
  page.screenshot(path=str(tmp_path / '0_start.png'), full_page=True)
  return browser, page, requests


_NEW_ANSWER = r"""([toasts, before]) => {
  // A new error toast, or the message of another request, finished
  // (no progress shown in it).
  const text = document.querySelector('#message').innerText;
  const number = (text.match(/Request (\d+):/) || [])[1];
  return document.querySelectorAll('.toast-body').length > toasts
      || (number !== undefined && number !== before && !text.includes('%')
          && !/^\s*[0-9.]+s/.test(text));
}"""


def _segment(page, tmp_path, name):
  """Clicks Segment and waits for a new answer: a result or an error."""
  toasts = page.locator('.toast-body').count()
  found = re.search(r'Request (\d+):', page.inner_text('#message'))
  before = found.group(1) if found else None
  page.click('#segment')
  page.wait_for_function(_NEW_ANSWER, arg=[toasts, before], timeout=120_000)
  page.screenshot(path=str(tmp_path / f'{name}.png'), full_page=True)


def test_paint_segment_and_download_in_the_browser(server, checkpoint,
                                                   tmp_path):
  _need_browser()
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  url, _ = server
  files = _files(tmp_path)
  with sync_playwright() as playwright:
    browser, page, requests = _page(playwright, url, tmp_path)
    # No annotation yet: the page says what is missing; the app stays up.
    page.set_input_files('#support1 input[type=file]', files['support'])
    page.set_input_files('#queries input[type=file]',
                         [files['q1'], files['q2']])
    page.wait_for_selector('#support1 canvas', timeout=30_000)
    time.sleep(1)
    _segment(page, tmp_path, '1_no_annotation')
    assert 'mark the object with exactly one of' in page.inner_text('body')
    # Strokes on the canvas, across the middle of the support image.
    box = page.locator('#support1 canvas').first.bounding_box()
    page.mouse.move(box['x'] + box['width'] * 0.35,
                    box['y'] + box['height'] * 0.45)
    page.mouse.down()
    for fraction in np.linspace(0.35, 0.65, 12):
      page.mouse.move(box['x'] + box['width'] * fraction,
                      box['y'] + box['height'] * (0.45 + fraction / 10))
    page.mouse.up()
    time.sleep(1)
    _segment(page, tmp_path, '2_painted')
    assert '2 queries segmented with 1 support (painted)' in page.inner_text(
        '#message')
    assert len(page.locator('#overlays img').all()) >= 2
    href = page.locator('#download a').first.get_attribute('href')
    browser.close()
  got = _download(href if href.startswith('http') else url + href)
  # The masks equal Predictor's on the same inputs, pixel for pixel.
  support_mask = _png(got['support_1_mask.png']) > 0
  assert 0 < support_mask.mean() < 0.5  # the strokes, not the whole image
  predictor = inference.Predictor(checkpoint, batch_size=2)
  support = np.asarray(Image.open(files['support']))
  queries = [np.asarray(Image.open(files[q])) for q in ('q1', 'q2')]
  expected = predictor.predict([support], [support_mask], queries)
  for name, result in zip(('q1', 'q2'), expected):
    np.testing.assert_array_equal(_png(got[f'{name}_mask.png']) > 0,
                                  result.mask)
  hosts = {r.split('/')[2] for r in requests if r.startswith('http')}
  assert hosts == {url.split('/')[2]}, hosts  # nothing left the machine


def test_box_and_mask_file_annotations_in_the_browser(server, tmp_path):
  _need_browser()
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  url, _ = server
  files = _files(tmp_path)
  mask = tmp_path / 'support_mask.png'
  Image.fromarray(_scene(120, 160, 0)[1].astype(np.uint8) * 255).save(mask)
  with sync_playwright() as playwright:
    browser, page, _ = _page(playwright, url, tmp_path)
    page.set_input_files('#support1 input[type=file]', files['support'])
    page.set_input_files('#queries input[type=file]', [files['q1']])
    page.fill('#support1_box textarea', '40,30,120,90')
    page.wait_for_function(
        "() => document.querySelector('#support1_note').innerText"
        ".includes('4800 pixels marked (box)')", timeout=30_000)
    # The box is drawn on the preview before the request: its outline in
    # the annotation colour at the box's corner, none outside it.
    preview = _preview_pixels(page, url)
    assert tuple(preview[30, 40]) == web_app.ANNOTATION_COLOUR
    assert tuple(preview[10, 10]) != web_app.ANNOTATION_COLOUR
    _segment(page, tmp_path, '1_box')
    assert '(box)' in page.inner_text('#message')
    assert len(page.locator('#overlays img').all()) == 1
    page.fill('#support1_box textarea', '40,30,999,90')  # outside
    page.wait_for_function(
        "() => document.querySelector('#support1_note').innerText"
        ".includes('does not fit')", timeout=30_000)
    assert tuple(_preview_pixels(page, url)[30, 40]) == web_app.PROBLEM_COLOUR
    _segment(page, tmp_path, '2_box_outside')
    # The reason stays in the message area (a toast would have faded), the
    # last results are cleared, the form keeps the typed box.
    time.sleep(30)
    page.screenshot(path=str(tmp_path / '2_box_outside_30s.png'),
                    full_page=True)
    message = page.inner_text('#message')
    assert re.search(r'Request \d+: not run\.', message), message
    assert 'box 40,30,999,90 does not fit the 160x120 image' in message
    assert not page.locator('#overlays img').all()
    assert page.input_value('#support1_box textarea') == '40,30,999,90'
    page.fill('#support1_box textarea', '')
    page.set_input_files('#support1_mask input[type=file]', str(mask))
    time.sleep(1)
    _segment(page, tmp_path, '3_mask_file')
    assert '(mask)' in page.inner_text('#message')
    browser.close()


def _preview_pixels(page, url) -> np.ndarray:
  """The support 1 preview as the page shows it (its image file)."""
  page.wait_for_selector('#support1_preview img', timeout=30_000)
  src = page.locator('#support1_preview img').first.get_attribute('src')
  with urllib.request.urlopen(src if src.startswith('http') else url + src,
                              timeout=30) as response:
    return np.asarray(Image.open(io.BytesIO(response.read())).convert('RGB'))


def test_concurrent_clients_get_their_own_answers(server, checkpoint,
                                                  tmp_path):
  """8 API clients at once, each with its own box; then 50 requests without
  the server's memory growing."""
  from gradio_client import Client  # pylint: disable=g-import-not-at-top
  from gradio_client import handle_file  # pylint: disable=g-import-not-at-top
  url, proc = server
  files = _files(tmp_path)
  boxes = [f'{10 + 5 * i},{10 + 3 * i},{90 + 5 * i},{80 + 3 * i}'
           for i in range(8)]
  empty = {'background': None, 'layers': [], 'composite': None, 'id': None}

  def ask(box):
    client = Client(url, verbose=False)
    editor = {'background': handle_file(files['support']), 'layers': [],
              'composite': None, 'id': None}
    result = client.predict(
        editor, None, box, empty, None, '', empty, None, '',
        [handle_file(files['q1'])], [], 'fused', '', SIZE,
        api_name='/segment')
    return _download_local(result[2])

  with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(ask, boxes))
  predictor = inference.Predictor(checkpoint, batch_size=2)
  support = np.asarray(Image.open(files['support']))
  query = np.asarray(Image.open(files['q1']))
  from smcp_jax.serving import image_io  # pylint: disable=g-import-not-at-top
  for box, got in zip(boxes, answers):
    mask = image_io.box_mask(image_io.parse_box(box), support.shape)
    [expected] = predictor.predict([support], [mask], [query])
    np.testing.assert_array_equal(_png(got['q1_mask.png']) > 0,
                                  expected.mask)
  rss = []
  for i in range(50):
    ask(boxes[i % 8])
    if i in (9, 49):
      rss.append(_rss_mb(proc.pid))
  assert proc.poll() is None  # still up
  assert rss[1] - rss[0] < 150, rss  # no growth per request


def _download_local(path: str) -> dict:
  archive = zipfile.ZipFile(path)
  return {name: archive.read(name) for name in archive.namelist()}


def _rss_mb(pid: int) -> float:
  with open(f'/proc/{pid}/status') as f:
    for line in f:
      if line.startswith('VmRSS:'):
        return int(line.split()[1]) / 1024
  raise RuntimeError('no VmRSS')


def _editor(image, painted=None):
  """An ImageEditor value: RGBA background, one RGBA layer of strokes."""
  h, w = image.shape[:2]
  layer = np.zeros((h, w, 4), np.uint8)
  if painted is not None:
    layer[painted] = (255, 0, 200, 255)
  background = np.concatenate([image, np.full((h, w, 1), 255, np.uint8)], -1)
  return {'background': background, 'layers': [layer], 'composite': None}


@pytest.mark.parametrize('case,words', [
    ('no support', 'no support image: upload one under "Support 1"'),
    ('no query', 'no query image'),
    ('nothing marked', 'mark the object with exactly one of'),
    ('two marks', 'got painted and box'),
    ('box outside', 'does not fit the 40x30 image'),
    ('query masks', '2 queries but 1 query masks'),
    ('huge', 'give an image of at most 0 megapixels'),
])
def test_requests_are_checked_with_the_cli_wording(tmp_path, monkeypatch,
                                                   case, words):
  from smcp_jax.serving import web_app  # pylint: disable=g-import-not-at-top
  image, mask = _scene(30, 40, 0)
  query = str(tmp_path / 'q.png')
  Image.fromarray(image).save(query)
  painted = _editor(image, mask)
  slots = {'no support': [(None, None, '')],
           'nothing marked': [(_editor(image), None, '')],
           'two marks': [(painted, None, '1,1,5,5')],
           'box outside': [(_editor(image), None, '1,1,50,20')]}.get(
               case, [(painted, None, '')])
  queries = [] if case == 'no query' else [query, query]
  masks = [query] if case == 'query masks' else []
  if case == 'huge':
    monkeypatch.setattr(web_app, 'MAX_PIXELS', 1000)
  with pytest.raises(DataError, match=words):
    web_app.build_request(slots, queries, masks, 'fused', '')


def test_input_size_is_checked():
  from smcp_jax.serving import web_app  # pylint: disable=g-import-not-at-top
  assert web_app.input_size(65.0) == 65
  for bad in (None, 8, 65.5, 5000):
    with pytest.raises(DataError, match='the input size must be a whole'):
      web_app.input_size(bad)


def test_painted_strokes_become_the_support_mask(tmp_path):
  from smcp_jax.serving import web_app  # pylint: disable=g-import-not-at-top
  image, mask = _scene(30, 40, 0)
  query = str(tmp_path / 'q.png')
  Image.fromarray(image).save(query)
  request = web_app.build_request([(_editor(image, mask), None, '')], [query],
                                  [], 'pseudo', 'box')
  np.testing.assert_array_equal(request.support_masks[0], mask)
  np.testing.assert_array_equal(request.supports[0], image)
  assert (request.annotation, request.prototype) == ('painted', 'pseudo')


def test_a_network_host_needs_a_login_or_the_opt_out(tmp_path):
  from smcp_jax import app  # pylint: disable=g-import-not-at-top
  from smcp_jax import errors  # pylint: disable=g-import-not-at-top
  with pytest.raises(errors.UserError) as refused:
    app.check_exposure('0.0.0.0', None, allow_anonymous=False)
  assert '--auth USER:PASSWORD_FILE' in str(refused.value)
  assert '--allow_anonymous' in str(refused.value)
  for host in ('127.0.0.1', 'localhost', '::1', '127.0.1.1'):
    app.check_exposure(host, None, allow_anonymous=False)
  app.check_exposure('0.0.0.0', None, allow_anonymous=True)
  app.check_exposure('192.168.1.5', ('ann', 'long enough'), False)
  secret = tmp_path / 'password'
  secret.write_text('correct horse\n')
  assert app.login(f'ann:{secret}', {}) == ('ann', 'correct horse')
  assert app.login('', {app.AUTH_ENV: 'bob:s3cret-pass'}) == ('bob',
                                                             's3cret-pass')
  assert app.login('', {}) is None
  for auth, env, words in (
      ('ann', {}, 'must be USER:PASSWORD_FILE'),
      (f'ann:{tmp_path}/absent', {}, 'cannot read the password file'),
      (f'ann:{secret}', {app.AUTH_ENV: 'b:c'}, 'not both'),
      ('', {app.AUTH_ENV: 'bob:short'}, 'at least 8 characters')):
    with pytest.raises(errors.UserError, match=words):
      app.login(auth, env)
  # The command: one line, status 1, before the network loads.
  done = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.app', '--checkpoint', str(tmp_path),
       '--host', '0.0.0.0'], capture_output=True, text=True, timeout=120,
      env=dict(os.environ, PYTHONPATH=ROOT), check=False)
  assert done.returncode == 1
  assert done.stderr.startswith('error: --host 0.0.0.0 serves the app to '
                                'the network'), done.stderr


def test_the_login_guards_the_page_and_the_api(checkpoint, tmp_path):
  _need_browser()
  from gradio_client import Client  # pylint: disable=g-import-not-at-top
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  secret = tmp_path / 'password'
  secret.write_text('a long passphrase')
  port = _free_port()
  proc = subprocess.Popen(
      [sys.executable, '-m', 'smcp_jax.app', '--checkpoint', checkpoint,
       '--port', str(port), '--auth', f'ann:{secret}'],
      cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
      text=True, env=dict(os.environ, PYTHONPATH=ROOT))
  url = f'http://127.0.0.1:{port}'
  try:
    _wait_for(url, proc)
    with pytest.raises(Exception):  # the API refuses a client without it
      Client(url, verbose=False).view_api(print_info=False)
    with sync_playwright() as playwright:
      browser = playwright.chromium.launch(executable_path=BROWSER,
                                           args=['--no-sandbox'])
      page = browser.new_page(viewport={'width': 1000, 'height': 700})
      page.goto(url)
      page.wait_for_selector('input[type=password]', timeout=60_000)
      page.screenshot(path=str(tmp_path / 'login.png'))
      assert not page.locator('#segment').count()
      user = page.locator('input:not([type=password])').first
      user.fill('ann')
      page.fill('input[type=password]', 'wrong password')
      page.keyboard.press('Enter')
      page.wait_for_selector('text=Incorrect Credentials', timeout=30_000)
      assert not page.locator('#segment').count()
      page.screenshot(path=str(tmp_path / 'login_refused.png'))
      user.fill('ann')
      page.fill('input[type=password]', 'a long passphrase')
      page.keyboard.press('Enter')
      page.wait_for_selector('#segment', timeout=60_000)
      browser.close()
    api = Client(url, auth=('ann', 'a long passphrase'), verbose=False)
    assert '/segment' in str(api.view_api(print_info=False,
                                          return_format='dict'))
  finally:
    proc.terminate()
    proc.wait(timeout=30)


def test_the_toy_example_is_drawn_on_its_preview(checkpoint, toy_root,
                                                 tmp_path):
  """Clicking the example fills the inputs without a user's change: the
  example's own function draws the support's mask on the preview."""
  _need_browser()
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  (tmp_path / 'data').mkdir()
  os.symlink(os.path.dirname(os.path.dirname(toy_root)),
             tmp_path / 'data' / 'toy')
  port = _free_port()
  proc = subprocess.Popen(
      [sys.executable, '-m', 'smcp_jax.app', '--checkpoint', checkpoint,
       '--port', str(port)], cwd=tmp_path, stdout=subprocess.PIPE,
      stderr=subprocess.STDOUT, text=True, env=dict(os.environ,
                                                    PYTHONPATH=ROOT))
  url = f'http://127.0.0.1:{port}'
  try:
    _wait_for(url, proc)
    with sync_playwright() as playwright:
      browser, page, _ = _page(playwright, url, tmp_path)
      page.locator('table tbody tr').first.click()
      page.wait_for_function(
          "() => document.querySelector('#support1_note').innerText"
          ".includes('pixels marked (mask)')", timeout=60_000)
      marked = int(re.search(r'(\d+) pixels marked',
                             page.inner_text('#support1_note')).group(1))
      preview = _preview_pixels(page, url)
      browser.close()
    mask_file = web_app.toy_example(os.path.join(str(tmp_path), 'data', 'toy',
                                                 'VOCdevkit', 'VOC2012'))[1]
    assert marked == int((np.asarray(Image.open(mask_file)) > 0).sum())
    assert (preview == web_app.ANNOTATION_COLOUR).all(-1).any()
  finally:
    proc.terminate()
    proc.wait(timeout=30)
