// lcs web console: renders GET /api/v1/status, re-fetched whenever the watch stream reports an
// event (no polling), and sends the admin API's changes after a confirmation.
import * as api from './api.js';
import { h, fmt, table, title, value } from './render.js';

/** Events kept on the page (the newest); older ones are in `lcs get events`. */
const MAX_EVENTS = 100;
/** Least time between two status fetches while events keep coming. */
const REFRESH_GAP_MS = 200;
/** Condition types that are good when False (docs/api.md, `lcs status`). */
const ABNORMAL = new Set(['Conflict', 'AddressConflict', 'HookFailed', 'StopFailed', 'Degraded', 'Stale']);
const KNOWN_STATUS = new Set(['cluster', 'node', 'version', 'quorum', 'nodes', 'vips', 'stale']);

const $ = (id) => document.getElementById(id);
let settings = { mode: 'read-only', readsNeedToken: false, tokenFile: 'the admin token file' };
let status = null;
const events = [];

function notice(text, error) {
  const n = $('notice');
  n.textContent = text;
  n.className = error ? 'notice error' : 'notice';
  n.hidden = !text;
}

function canAct() {
  return settings.mode === 'on';
}

// ---- status -------------------------------------------------------------------------------------

let inFlight = false;
let again = false;

async function refresh() {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    status = await api.get('/api/v1/status');
    $('signin').hidden = true;
    render();
  } catch (e) {
    if (e.status === 401) {
      askToSignIn(e.message);
    } else {
      $('quorum').textContent = 'cannot read the status: ' + e.message;
      $('quorum').className = 'badge bad';
    }
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      setTimeout(refresh, REFRESH_GAP_MS);
    }
  }
}

function render() {
  const s = status;
  document.title = 'lcs: ' + s.cluster;
  $('cluster-name').textContent = s.cluster;
  $('via').textContent = 'as seen by ' + s.node + (s.version ? ' (lcs ' + s.version + ')' : '');
  const q = s.quorum;
  const qEl = $('quorum');
  qEl.textContent = 'quorum: ' + (q.present ? 'yes' : 'NO') + ' (' + q.votesSeen + ' votes, need ' + q.votesNeeded + ')'
    + (s.stale ? ' — stale: no quorum, what follows may be out of date' : '');
  qEl.className = 'badge ' + (q.present && !s.stale ? 'ok' : 'bad');
  renderNodes(s.nodes || []);
  renderVips(s.vips || [], s.nodes || []);
  renderExtra(s);
}

function yesNo(v, goodWhen) {
  return h('span', { class: v === goodWhen ? 'ok' : 'bad' }, fmt(v));
}

function renderNodes(nodes) {
  const cols = [
    { key: 'name', label: 'Name', cell: (n) => n.name + (n.self ? ' (this node)' : ''), keys: ['name', 'self'] },
    { key: 'role', label: 'Role' },
    { key: 'online', label: 'Online', cell: (n) => yesNo(n.online, true) },
    { key: 'cordoned', label: 'Cordoned', cell: (n) => n.cordoned ? h('span', { class: 'warn' }, 'yes') : 'no' },
    { key: 'restarting', label: 'Restart wait', cell: (n) => n.restarting ? h('span', { class: 'warn' }, 'yes') : 'no' },
    { key: 'configMatch', label: 'Config', cell: (n) => n.configMatch ? 'match' : h('span', { class: 'bad' }, 'mismatch') },
    { key: 'lastSeenSeconds', label: 'Last seen', num: true, cell: (n) => n.lastSeenSeconds == null ? '' : fmt(n.lastSeenSeconds) + ' s ago' },
    { key: 'rttMillis', label: 'RTT', num: true, cell: (n) => n.rttMillis == null ? '' : fmt(n.rttMillis) + ' ms' },
  ];
  if (canAct()) {
    cols.push({ key: '_actions', label: 'Actions', cell: nodeActions });
  }
  table($('nodes'), cols, nodes, (n) => ({ node: n.name }));
}

function nodeActions(n) {
  if (n.role !== 'full-member') {
    return '';
  }
  const out = [];
  if (n.cordoned) {
    out.push(h('button', { type: 'button', 'aria-label': 'Uncordon ' + n.name, onclick: () => confirmAction({
      title: 'Uncordon ' + n.name, text: n.name + ' may take resources again.',
      path: '/api/v1/nodes/' + encodeURIComponent(n.name) + '/uncordon' }) }, 'Uncordon'));
  } else {
    out.push(h('button', { type: 'button', 'aria-label': 'Cordon ' + n.name, onclick: () => confirmAction({
      title: 'Cordon ' + n.name, text: n.name + ' takes no new resources; what it holds stays.',
      path: '/api/v1/nodes/' + encodeURIComponent(n.name) + '/cordon' }) }, 'Cordon'));
  }
  out.push(h('button', { type: 'button', 'aria-label': 'Drain ' + n.name, onclick: () => confirmAction({
    title: 'Drain ' + n.name, text: 'Cordon ' + n.name + ' and move every resource it holds to other nodes.',
    path: '/api/v1/nodes/' + encodeURIComponent(n.name) + '/drain' }) }, 'Drain'));
  return h('span', {}, out);
}

function conditions(list) {
  if (!list || list.length === 0) {
    return '';
  }
  return h('ul', { class: 'conds' }, list.map((c) => {
    const bad = ABNORMAL.has(c.type) ? c.status === 'True' : c.status !== 'True';
    return h('li', { class: bad ? 'bad' : undefined }, c.type + '=' + c.status + (c.reason ? ' ' + c.reason : '')
      + (c.message ? ': ' + c.message : ''));
  }));
}

function renderVips(vips, nodes) {
  const cols = [
    { key: 'name', label: 'Name' },
    { key: 'address', label: 'Address' },
    { key: 'interfaceName', label: 'Interface' },
    { key: 'state', label: 'State', cell: (v) => h('span', { class: v.state === 'active' ? 'ok' : v.state === 'pending' ? 'warn' : 'bad' }, v.state) },
    { key: 'owner', label: 'Owner', cell: (v) => v.owner || 'none' },
    { key: 'epoch', label: 'Epoch', num: true },
    { key: 'leaseRemainingSeconds', label: 'Lease left', num: true, cell: (v) => v.leaseRemainingSeconds == null ? '' : fmt(v.leaseRemainingSeconds) + ' s' },
    { key: 'failovers', label: 'Failovers', num: true },
    { key: 'conditions', label: 'Conditions', cell: (v) => conditions(v.conditions) },
  ];
  if (canAct()) {
    cols.push({ key: '_actions', label: 'Actions', cell: (v) => vipActions(v, nodes) });
  }
  table($('vips'), cols, vips, (v) => ({ vip: v.name }));
}

function vipActions(v, nodes) {
  const out = [];
  const targets = nodes.filter((n) => n.role === 'full-member' && n.name !== v.owner).map((n) => n.name);
  if (v.state !== 'conflict' && targets.length > 0) {
    out.push(h('button', { type: 'button', 'aria-label': 'Move ' + v.name, onclick: () => confirmAction({
      title: 'Move ' + v.name, text: 'Move ' + v.name + ' (' + v.address + ') from ' + (v.owner || 'nobody')
        + '. Its clients lose it for the hand-over (about the probe window).',
      targets, path: '/api/v1/vips/' + encodeURIComponent(v.name) + '/move' }) }, 'Move…'));
  }
  if (v.state === 'conflict') {
    out.push(h('button', { type: 'button', 'aria-label': 'Acknowledge the conflict of ' + v.name, onclick: () => confirmAction({
      title: 'Acknowledge the conflict of ' + v.name, text: 'Only after you made sure no other host answers for '
        + v.address + ': lcs then places it again.',
      path: '/api/v1/vips/' + encodeURIComponent(v.name) + '/ack' }) }, 'Acknowledge conflict'));
  }
  if (v.disabled) {
    out.push(h('button', { type: 'button', 'aria-label': 'Start ' + v.name, onclick: () => confirmAction({
      title: 'Start ' + v.name, text: 'Placement puts ' + v.name + ' (' + v.address + ') on a node again.',
      path: '/api/v1/vips/' + encodeURIComponent(v.name) + '/start' }) }, 'Start'));
  } else {
    out.push(h('button', { type: 'button', 'aria-label': 'Stop ' + v.name, onclick: () => confirmAction({
      title: 'Stop ' + v.name, text: v.name + ' (' + v.address + ') will run nowhere: its stop hooks run where it is'
        + ' active, what depends on it stops first. Its clients lose it until you start it again.',
      path: '/api/v1/vips/' + encodeURIComponent(v.name) + '/stop' }) }, 'Stop'));
  }
  return h('span', {}, out);
}

/** Status fields this page does not know: lists of objects as tables of their own, the rest as a list. */
function renderExtra(s) {
  const out = [];
  const loose = [];
  for (const [k, v] of Object.entries(s)) {
    if (KNOWN_STATUS.has(k) || v === null || v === undefined) {
      continue;
    }
    if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      const keys = [...new Set(v.flatMap((x) => Object.keys(x)))].slice(0, 8);
      const t = h('table', { class: 'grid' });
      table(t, keys.map((key) => ({ key, label: title(key) })), v, (x) => ({ name: x.name ?? '' }));
      out.push(h('section', { dataset: { kind: k } }, h('h2', {}, title(k)), h('div', { class: 'scroll' }, t)));
    } else {
      loose.push(h('li', {}, h('span', { class: 'k' }, title(k) + ': '), value(v)));
    }
  }
  if (loose.length > 0) {
    out.unshift(h('section', {}, h('h2', {}, 'Cluster'), h('ul', { class: 'details' }, loose)));
  }
  $('extra').replaceChildren(...out);
}

// ---- events -------------------------------------------------------------------------------------

function onEvent(e) {
  events.unshift(e);
  if (events.length > MAX_EVENTS) {
    events.length = MAX_EVENTS;
  }
  renderEventsSoon();
  refresh();
}

let eventsTimer = null;

function renderEventsSoon() {
  if (eventsTimer === null) {
    eventsTimer = setTimeout(() => {
      eventsTimer = null;
      const e = events[0];
      // one announcement per update for screen readers, not the whole list again
      $('announce').textContent = e ? 'Event: ' + e.type + ' ' + (e.object || '') + (e.message ? ': ' + e.message : '') : '';
      $('events').replaceChildren(...events.map((e) => h('li', { dataset: { seq: e.seq, type: e.type } },
        h('time', { datetime: e.time }, new Date(e.time).toLocaleTimeString()),
        h('span', {}, e.type, h('br'), h('span', { class: 'sub' }, e.object || '')),
        h('span', {}, (e.node ? e.node + ': ' : '') + (e.message || '')))));
    }, 100);
  }
}

function onStreamState(st) {
  const live = $('live');
  if (st.open) {
    live.textContent = 'live';
    live.className = 'live ok';
    refresh();
  } else {
    live.textContent = 'not live (' + st.why + '); retrying in ' + st.retryInSeconds + ' s';
    live.className = 'live warn';
  }
}

// ---- actions ------------------------------------------------------------------------------------

function tokenBar() {
  const has = !!api.token.get();
  $('token-bar').hidden = !canAct() && !settings.readsNeedToken;
  $('token-state').textContent = has ? 'Admin token entered for this tab.'
    : 'Changes need the admin token of ' + settings.tokenFile + ' on ' + (status ? status.node : 'this node')
      + '; the console asks for it once and keeps it in this tab only.';
  $('token-forget').hidden = !has;
}

function askToSignIn(message) {
  $('signin').hidden = false;
  $('signin-hint').textContent = message;
  $('quorum').textContent = 'the admin token is needed to read';
  $('quorum').className = 'badge bad';
}

/** Opens the confirmation; on Confirm sends POST {path} (with {to} for a move) and says what happened. */
function confirmAction({ title: t, text, path, targets }) {
  const dlg = $('confirm');
  $('confirm-title').textContent = t;
  $('confirm-text').textContent = text;
  const sel = $('confirm-to');
  $('confirm-target').hidden = !targets;
  if (targets) {
    sel.replaceChildren(h('option', { value: '' }, 'any other node'), ...targets.map((n) => h('option', { value: n }, n)));
  }
  const needToken = !api.token.get();
  $('confirm-token').hidden = !needToken;
  const input = $('confirm-token-input');
  input.value = '';
  input.required = needToken;
  $('confirm-token-hint').textContent = 'The contents of ' + settings.tokenFile + ' on ' + (status ? status.node : 'this node')
    + ' (root only). Kept in this tab until you close it.';
  dlg.returnValue = '';
  dlg.onclose = async () => {
    if (dlg.returnValue !== 'ok') {
      return;
    }
    if (needToken && input.value.trim()) {
      api.token.set(input.value);
    }
    input.value = '';
    tokenBar();
    try {
      const body = targets ? (sel.value ? { to: sel.value } : {}) : undefined;
      const r = await api.post(path, body);
      notice(t + ': done' + (r && r.outcome ? ' (' + r.outcome + ')' : r && r.spec && r.spec.to ? ' (to ' + r.spec.to + ')' : '') + '.', false);
    } catch (e) {
      if (e.status === 401) {
        api.token.clear();
        tokenBar();
      }
      notice(t + ': refused by lcsd (' + e.code + '): ' + e.message, true);
    }
    refresh();
  };
  dlg.showModal();
}

// ---- start --------------------------------------------------------------------------------------

async function start() {
  try {
    settings = await api.get('/ui/settings.json');
  } catch (e) {
    notice('cannot read the console settings: ' + e.message, true);
  }
  api.setReadsNeedToken(settings.readsNeedToken);
  const mode = $('mode');
  if (!canAct()) {
    mode.hidden = false;
    mode.textContent = 'Read-only console: this lcsd\'s lcs.conf says console = ' + settings.mode
      + ', so it refuses changes sent from a browser. Change the cluster with lcs as root on a node.';
  }
  $('token-forget').addEventListener('click', () => {
    api.token.clear();
    tokenBar();
    notice('Admin token forgotten.', false);
  });
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    api.token.set($('signin-token').value);
    $('signin-token').value = '';
    tokenBar();
    refresh();
  });
  $('signin-token').setAttribute('aria-describedby', 'signin-hint');
  tokenBar();
  await refresh();
  tokenBar();
  api.watch(onEvent, onStreamState);
}

start();
