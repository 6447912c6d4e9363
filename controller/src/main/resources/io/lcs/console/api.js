// The admin API as the console uses it: reads, changes (always with the token) and the watch
// stream. The token is kept in sessionStorage (this tab only, gone when it closes), never in a
// cookie, and sent as "Authorization: Bearer".
const TOKEN_KEY = 'lcs.adminToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t.trim()),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An error reply of the API: {code, message} as lcsd sent them, and the HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let readsNeedToken = false;

export function setReadsNeedToken(v) {
  readsNeedToken = v;
}

function headers(withToken, json) {
  const h = { Accept: 'application/json' };
  const t = token.get();
  if (withToken && t) {
    h.Authorization = 'Bearer ' + t;
  }
  if (json) {
    h['Content-Type'] = 'application/json';
  }
  return h;
}

async function reply(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    body = null;
  }
  if (!resp.ok) {
    throw new ApiError(resp.status, body && body.code || 'HTTP_' + resp.status,
      body && body.message || 'lcsd answered ' + resp.status + ' ' + resp.statusText);
  }
  return body;
}

/** GET a path of the API (or of the console): with the token only where reads need it. */
export async function get(path) {
  return reply(await fetch(path, { headers: headers(readsNeedToken, false), cache: 'no-store' }));
}

/** POST a change, with the token; {body} is sent as JSON when given. */
export async function post(path, body) {
  return reply(await fetch(path, {
    method: 'POST', headers: headers(true, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

/**
 * Follows GET /api/v1/watch (server-sent events, read through fetch so that the token can be sent
 * where reads need it), resuming after the last event seen. On an error or the end of the stream
 * it waits and opens it again: 1 s, doubling up to 30 s, back to 1 s once a stream is open.
 *
 * @param onEvent called with each ClusterEvent
 * @param onState called with {open: true} or {open: false, retryInSeconds, why}
 */
export function watch(onEvent, onState) {
  const MIN_DELAY = 1000;
  const MAX_DELAY = 30000;
  let delay = MIN_DELAY;
  let lastSeq = 0;
  const run = async () => {
    let why = 'stream ended';
    try {
      const resp = await fetch('/api/v1/watch?after=' + lastSeq, { headers: headers(readsNeedToken, false), cache: 'no-store' });
      if (!resp.ok) {
        await reply(resp); // throws the API's error
      }
      delay = MIN_DELAY;
      onState({ open: true });
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buf += value;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) {
            const e = JSON.parse(data);
            lastSeq = Math.max(lastSeq, e.seq);
            onEvent(e);
          }
        }
        if (buf.length > 1 << 20) {
          throw new Error('an event larger than 1 MiB');
        }
      }
    } catch (e) {
      why = e.message;
    }
    onState({ open: false, retryInSeconds: delay / 1000, why });
    setTimeout(run, delay);
    delay = Math.min(delay * 2, MAX_DELAY);
  };
  run();
}
