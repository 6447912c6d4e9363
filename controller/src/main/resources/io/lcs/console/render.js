// DOM building from nodes and text only: every value from the API is set as text, never parsed as HTML.

/** h('td', {class: 'x', dataset: {field: 'owner'}}, 'text', child...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'class') {
      el.className = v;
    } else if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else {
      el.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
  return el;
}

/** Any JSON value as readable text or a small list: the fallback for fields this page does not know. */
export function value(v) {
  if (v === null || v === undefined) {
    return '';
  }
  if (Array.isArray(v)) {
    return h('ul', { class: 'details' }, v.map((x) => h('li', {}, value(x))));
  }
  if (typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => typeof x === 'object' && x !== null
      ? h('span', {}, h('span', { class: 'k' }, k + ': '), value(x), ' ')
      : h('span', {}, h('span', { class: 'k' }, k + '='), fmt(x), ' '));
    return h('span', {}, parts);
  }
  return fmt(v);
}

export function fmt(v) {
  if (typeof v === 'boolean') {
    return v ? 'yes' : 'no';
  }
  if (typeof v === 'number' && !Number.isInteger(v)) {
    return v.toFixed(1);
  }
  return String(v);
}

/** "camelCase" to "Camel case" for headings of fields the page does not know. */
export function title(key) {
  const s = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A table: columns [{key, label, cell(item) -> node|text, num}], then a "Details" column with every
 * field of an item that no column shows (fields lcsd added after this page was written).
 */
export function table(el, columns, items, rowData) {
  const known = new Set(columns.flatMap((c) => c.keys || [c.key]));
  const extra = (it) => Object.entries(it).filter(([k, v]) => !known.has(k) && v !== null && v !== undefined
    && !(Array.isArray(v) && v.length === 0));
  const anyExtra = items.some((it) => extra(it).length > 0);
  const details = { key: '_details', label: 'Details',
    cell: (it) => h('ul', { class: 'details' }, extra(it).map(([k, v]) => h('li', {}, h('span', { class: 'k' }, title(k) + ': '), value(v)))) };
  // before the actions, if any: the buttons stay last
  const at = columns.findIndex((c) => c.key === '_actions');
  const cols = !anyExtra ? columns : at < 0 ? [...columns, details]
    : [...columns.slice(0, at), details, ...columns.slice(at)];
  const head = h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c.label))));
  const body = h('tbody', {}, items.map((it) => h('tr', { dataset: rowData(it) },
    cols.map((c) => h('td', { 'data-label': c.label, dataset: { field: c.key }, class: c.num ? 'num' : undefined },
      c.cell ? c.cell(it) : value(it[c.key]))))));
  el.replaceChildren(head, body);
  if (items.length === 0) {
    el.replaceChildren(h('caption', {}, 'none'));
  }
}
