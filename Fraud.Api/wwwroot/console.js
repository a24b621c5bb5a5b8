// Fraud analyst console: a plain ES module, no build step, talking to the API that serves it and nothing else.
// Data is always put on the page as text (textContent), never as markup.

const KEY_STORAGE = 'fraud.apiKey';
const KEY_SAVED = 'fraud:key-saved';
const PAGE_SIZE = 50;
const STATS_EVERY_MS = 15_000;
const STATUS_TEXT = { open: 'open', confirmed_fraud: 'confirmed fraud', false_positive: 'false positive' };

const $ = (id) => document.getElementById(id);
const rows = $('alert-rows');

const state = {
  filters: {},        // the applied filters, exactly as sent to GET /alerts
  shown: new Map(),   // tx_id → alert, for every row on screen
  next: null,         // the next page, from the Link header of the last page
  generation: 0,      // counts list loads: only the newest one's answer is shown
  loading: false,
  arrivedWhileLoading: [],
  selected: null,
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The API answered ${status}.`);
    this.status = status;
  }

  static async from(response) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not problem+json: keep the status */ }
    return new ApiError(response.status, problem);
  }

  get needsKey() { return this.status === 401 || this.status === 403; }
}

// The key is sent whenever one is set: writes need it, and reads too when the API is configured so.
async function api(path, options = {}) {
  const headers = new Headers(options.headers);
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers.set('X-Api-Key', key);
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

function nextLink(header) {
  const match = header && /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return match ? match[1] : null;
}

// ---------------------------------------------------------------- formatting

const amountFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function formatTime(iso) {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

function element(tag, { text, className, title } = {}, ...children) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  if (title) node.title = title;
  node.append(...children);
  return node;
}

function riskView(risk) {
  const bar = element('span', { className: 'risk-bar' }, element('span'));
  bar.style.setProperty('--risk', String(risk));
  return element('span', { className: risk >= 0.8 ? 'risk high' : 'risk', title: `risk ${risk}` },
    bar, element('span', { text: risk.toFixed(2) }));
}

/** The first rule and how many more: the row stays one line; the detail lists them all. */
function ruleSummary(rules) {
  const summary = element('span', { className: 'chips', title: rules.join(', ') });
  if (rules.length > 0) summary.append(element('span', { className: 'chip', text: rules[0] }));
  if (rules.length > 1) summary.append(element('span', { className: 'chip more-rules', text: `+${rules.length - 1}` }));
  return summary;
}

function badge(status, node = element('span', { className: 'badge' })) {
  node.dataset.status = status;
  node.textContent = STATUS_TEXT[status] ?? status;
  return node;
}

// ---------------------------------------------------------------- the list

function renderRow(alert, fresh = false) {
  const row = element('tr', { className: fresh ? 'fresh' : '' },
    element('td', { className: 'time', text: formatTime(alert.created_at), title: alert.created_at }),
    element('td', {}, element('span', { className: 'tx', text: alert.tx_id, title: alert.tx_id })),
    element('td', { text: String(alert.user_id) }),
    element('td', { className: 'num', text: amountFormat.format(Number(alert.amount)) }),
    element('td', { text: alert.location }),
    element('td', {}, riskView(alert.risk)),
    element('td', {}, badge(alert.status)),
    element('td', {}, ruleSummary(alert.rules)));
  row.dataset.txId = alert.tx_id;
  row.tabIndex = 0;
  row.setAttribute('aria-selected', String(alert.tx_id === state.selected));
  return row;
}

function rowFor(txId) {
  return [...rows.children].find((row) => row.dataset.txId === txId) ?? null;
}

function updateEmptyAndMore() {
  $('empty').hidden = state.shown.size > 0;
  $('more').hidden = !state.next;
}

/**
 * Replaces the list with the first page for the current filters, or appends the next page. A newer load makes
 * an older one's answer moot; alerts streamed while a load is on its way are shown once it lands.
 */
async function loadAlerts({ append = false } = {}) {
  if (append && !state.next) return;
  const generation = append ? state.generation : ++state.generation;
  const url = append ? state.next : `/alerts?${new URLSearchParams({ limit: PAGE_SIZE, ...state.filters })}`;
  state.loading = true;
  try {
    const response = await api(url);
    const page = await response.json();
    if (generation !== state.generation) return;
    if (!append) {
      state.shown.clear();
      rows.replaceChildren();
    }
    for (const alert of page) {
      if (!state.shown.has(alert.tx_id)) {
        state.shown.set(alert.tx_id, alert);
        rows.append(renderRow(alert));
      }
    }
    state.next = nextLink(response.headers.get('Link'));
    hideMessage();
  } catch (error) {
    if (generation === state.generation) await handleError(error, () => loadAlerts({ append }));
  } finally {
    if (generation === state.generation) {
      state.loading = false;
      state.arrivedWhileLoading.splice(0).forEach((alert) => showLiveAlert(alert));
      updateEmptyAndMore();
    }
  }
}

/** Mirrors the server's filters, so a streamed alert shows only where the list would have it. */
function matchesFilters(alert) {
  const f = state.filters;
  return (f.user_id === undefined || String(alert.user_id) === f.user_id)
    && (f.min_risk === undefined || alert.risk >= Number(f.min_risk))
    && (f.rule === undefined || alert.rules.includes(f.rule))
    && (f.status === undefined || alert.status === f.status)
    && (f.since === undefined || new Date(alert.created_at) >= new Date(f.since))
    && (f.until === undefined || new Date(alert.created_at) < new Date(f.until));
}

function showLiveAlert(alert) {
  if (state.loading) {
    state.arrivedWhileLoading.push(alert);
    return;
  }
  if (state.shown.has(alert.tx_id)) {
    // Streamed while the list was loading, and already in the page it brought: it still just arrived.
    rows.querySelector(`tr[data-tx-id="${CSS.escape(alert.tx_id)}"]`)?.classList.add('fresh');
    return;
  }
  if (!matchesFilters(alert)) return;
  state.shown.set(alert.tx_id, alert);
  rows.prepend(renderRow(alert, true));
  updateEmptyAndMore();
}

// ---------------------------------------------------------------- filters

function toLocalInput(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

function readFilters(form) {
  const filters = {};
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (!text) continue;
    // datetime-local is the analyst's local time; the API takes an instant.
    filters[name] = name === 'since' || name === 'until' ? new Date(text).toISOString() : text;
  }
  return filters;
}

function applyFilters(filters) {
  state.filters = filters;
  const query = new URLSearchParams(filters).toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
  loadAlerts();
}

function restoreFilters(form) {
  const filters = {};
  for (const [name, value] of new URLSearchParams(location.search)) {
    const field = form.elements.namedItem(name);
    if (!field || !value) continue;
    field.value = name === 'since' || name === 'until' ? toLocalInput(value) : value;
    filters[name] = value;
  }
  state.filters = filters;
}

// ---------------------------------------------------------------- detail and verdicts

async function openDetail(txId) {
  state.selected = txId;
  for (const row of rows.children) row.setAttribute('aria-selected', String(row.dataset.txId === txId));
  try {
    const detail = await (await api(`/alerts/${encodeURIComponent(txId)}`)).json();
    if (state.selected === txId) renderDetail(detail);
  } catch (error) {
    await handleError(error, () => openDetail(txId));
  }
}

function renderDetail({ alert, reasons, feedback, user_recent_alerts: userAlerts }) {
  $('detail').hidden = false;
  $('detail-tx').textContent = alert.tx_id;
  $('detail-risk').textContent = alert.risk.toFixed(2);
  $('detail-risk-bar').style.setProperty('--risk', String(alert.risk));
  badge(alert.status, $('detail-status'));
  $('detail-amount').textContent = amountFormat.format(Number(alert.amount));
  $('detail-user').textContent = String(alert.user_id);
  $('detail-country').textContent = alert.location;
  $('detail-ts').textContent = dateTimeFormat.format(new Date(alert.ts));
  $('detail-created').textContent = dateTimeFormat.format(new Date(alert.created_at));
  $('detail-score').textContent = alert.score === null ? 'not scored by a model' : alert.score.toFixed(3);
  $('detail-model').textContent = alert.model_version || '–';
  $('detail-rules-version').textContent = alert.rules_version || '–';
  $('detail-classifier-version').textContent = alert.classifier_version || '–';
  $('detail-reasons').replaceChildren(...reasons.map((reason) => element('li', { text: reason })));
  $('detail-rules').replaceChildren(...alert.rules.map((rule) => element('span', { className: 'chip', text: rule })));
  $('detail-feedback').replaceChildren(...feedback.map((entry) => element('li', {
    text: `${dateTimeFormat.format(new Date(entry.created_at))}: ${entry.label} → ${STATUS_TEXT[entry.status] ?? entry.status}`
      + (entry.note ? ` — “${entry.note}”` : ''),
  })));
  const userRows = userAlerts.map((other) => {
    const row = element('tr', {},
      element('td', { className: 'time', text: formatTime(other.created_at) }),
      element('td', { className: 'num', text: amountFormat.format(Number(other.amount)) }),
      element('td', { text: other.location }),
      element('td', {}, riskView(other.risk)),
      element('td', {}, badge(other.status)));
    row.dataset.txId = other.tx_id;
    return row;
  });
  $('detail-user-alerts').replaceChildren(...userRows);
  $('detail-user-empty').hidden = userRows.length > 0;
}

async function sendVerdict(label) {
  const txId = state.selected;
  if (!txId) return;
  if (!sessionStorage.getItem(KEY_STORAGE) && !(await askForKey())) return;
  const buttons = [$('confirm-fraud'), $('false-positive')];
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const response = await api(`/alerts/${encodeURIComponent(txId)}/feedback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ label, note: $('feedback-note').value.trim() }),
    });
    const result = await response.json();
    const shown = state.shown.get(txId);
    if (shown) {
      shown.status = result.status;
      const row = rowFor(txId);
      if (row) badge(result.status, row.querySelector('.badge'));
    }
    $('feedback-note').value = '';
    hideMessage();
    await Promise.all([openDetail(txId), loadStats()]);
  } catch (error) {
    await handleError(error, () => sendVerdict(label));
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

// ---------------------------------------------------------------- API key

let keyPrompt = null;

/** Opens the key dialog (once, however many requests need it); resolves true once a key is saved. */
function askForKey(reason = '') {
  keyPrompt ??= new Promise((resolve) => {
    const dialog = $('key-dialog');
    $('key-error').textContent = reason;
    $('key-error').hidden = !reason;
    $('key-input').value = '';
    dialog.addEventListener('close', () => {
      const key = $('key-input').value.trim();
      const saved = dialog.returnValue === 'save' && key !== '';
      if (saved) {
        sessionStorage.setItem(KEY_STORAGE, key);
        updateKeyButton();
        window.dispatchEvent(new Event(KEY_SAVED));
      }
      keyPrompt = null;
      resolve(saved);
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
  return keyPrompt;
}

/** Shows whose key is set (GET /me): verdicts and changes are recorded under that name. */
async function updateKeyButton() {
  const button = $('key-button');
  if (!sessionStorage.getItem(KEY_STORAGE)) {
    button.textContent = 'Set API key';
    return;
  }
  button.textContent = 'API key set';
  try {
    const me = await (await api('/me')).json();
    button.textContent = `${me.name} (${me.role})`;
    button.title = 'Verdicts are recorded under this key\'s name. Click to change the key.';
  } catch { /* a rejected key is asked for again by the next request that needs it */ }
}

/** A missing or rejected key asks for one and retries; anything else is shown. */
async function handleError(error, retry) {
  if (error instanceof ApiError && error.needsKey) {
    sessionStorage.removeItem(KEY_STORAGE);
    updateKeyButton();
    if (await askForKey(error.message)) await retry();
    return;
  }
  showMessage(error.message);
}

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = false;
}

function hideMessage() {
  $('message').hidden = true;
}

// ---------------------------------------------------------------- live stream

function setLive(status, text) {
  $('live').dataset.state = status;
  $('live').querySelector('.live-text').textContent = text;
}

/** Server-Sent Events over fetch (unlike EventSource, fetch can send the API key header). */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line === '') {
        if (event.data.length) yield { type: event.type, data: event.data.join('\n') };
        event = { type: 'message', data: [] };
      } else if (line.startsWith('event:')) {
        event.type = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        event.data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

/** Stays connected for the life of the page; after every (re)connection the list is reloaded, so nothing is missed. */
async function followStream() {
  let delay = 1000;
  for (;;) {
    try {
      const response = await api('/alerts/stream', { headers: { Accept: 'text/event-stream' } });
      for await (const event of serverSentEvents(response.body)) {
        if (event.type === 'ready') {
          delay = 1000;
          setLive('live', 'Live');
          loadAlerts();
        } else if (event.type === 'alert') {
          showLiveAlert(JSON.parse(event.data));
        }
      }
    } catch (error) {
      if (error instanceof ApiError && error.needsKey) {
        // Reads need the key on this API: wait until one is saved (here or by any other prompt).
        setLive('offline', 'Needs API key');
        const saved = new Promise((resolve) => window.addEventListener(KEY_SAVED, resolve, { once: true }));
        sessionStorage.removeItem(KEY_STORAGE);
        updateKeyButton();
        askForKey(error.message);
        await saved;
        continue;
      }
    }
    setLive('offline', 'Reconnecting…');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}

// ---------------------------------------------------------------- counters

function topList(list, items) {
  list.replaceChildren(...items.slice(0, 4).map(([name, count]) =>
    element('li', {}, element('span', { text: name, title: name }), element('span', { text: String(count) }))));
  if (items.length === 0) list.append(element('li', { className: 'muted', text: 'none yet' }));
}

function sparkline(svg, perMinute) {
  const max = Math.max(1, ...perMinute.map((minute) => minute.count));
  const width = 120 / perMinute.length;
  svg.replaceChildren(...perMinute.map((minute, index) => {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    const height = Math.max(minute.count > 0 ? 1.5 : 0, (minute.count / max) * 32);
    rect.setAttribute('x', String(index * width));
    rect.setAttribute('y', String(32 - height));
    rect.setAttribute('width', String(Math.max(0.5, width - 0.4)));
    rect.setAttribute('height', String(height));
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = `${timeFormat.format(new Date(minute.minute))}: ${minute.count}`;
    rect.append(title);
    return rect;
  }));
}

async function loadStats() {
  try {
    const stats = await (await api('/stats')).json();
    $('count-minute').textContent = String(stats.alerts_last_minute);
    $('count-hour').textContent = String(stats.alerts_last_hour);
    sparkline($('sparkline'), stats.alerts_per_minute);
    const { confirmed_fraud: confirmed, false_positive: falsePositives, precision } = stats.feedback;
    $('precision').textContent = precision === null ? '–' : `${Math.round(precision * 100)} %`;
    $('precision-note').textContent = precision === null
      ? 'no verdicts yet'
      : `${confirmed} confirmed · ${falsePositives} false positive${falsePositives === 1 ? '' : 's'}`;
    topList($('top-rules'), stats.top_rules.map((entry) => [entry.rule, entry.count]));
    topList($('top-countries'), stats.by_country.map((entry) => [entry.country, entry.count]));
    $('rule-names').replaceChildren(...stats.top_rules.map((entry) => element('option', { text: entry.rule })));
  } catch {
    // Counters are secondary: the next refresh tries again, and errors that matter surface with the list.
  }
}

// ---------------------------------------------------------------- wiring

function start() {
  const form = $('filters');
  restoreFilters(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters(readFilters(form));
  });
  form.addEventListener('reset', () => setTimeout(() => applyFilters({})));

  rows.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) openDetail(row.dataset.txId);
  });
  rows.addEventListener('keydown', (event) => {
    const row = event.target.closest('tr');
    if (row && event.key === 'Enter') openDetail(row.dataset.txId);
  });
  $('detail-user-alerts').addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) openDetail(row.dataset.txId);
  });
  $('more').addEventListener('click', () => loadAlerts({ append: true }));
  $('detail-close').addEventListener('click', () => {
    state.selected = null;
    $('detail').hidden = true;
    for (const row of rows.children) row.setAttribute('aria-selected', 'false');
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('detail').hidden && !$('key-dialog').open) $('detail-close').click();
  });
  $('confirm-fraud').addEventListener('click', () => sendVerdict('fraud'));
  $('false-positive').addEventListener('click', () => sendVerdict('legit'));

  $('key-button').addEventListener('click', () => askForKey());
  $('key-cancel').addEventListener('click', () => $('key-dialog').close(''));
  $('key-forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    updateKeyButton();
    $('key-dialog').close('');
  });
  updateKeyButton();

  loadAlerts();
  loadStats();
  setInterval(loadStats, STATS_EVERY_MS);
  window.addEventListener(KEY_SAVED, loadStats); // the counters may have been refused for want of the key
  followStream();
}

start();
