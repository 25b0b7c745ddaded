// The last data seen, kept on the device per signed-in person so that a front end still shows
// something offline, and wiped on sign-out so that the next person on a shared device sees none
// of it. (The token pair is session.js's.)

const DATA_PREFIX = "cds:data:";
const DATA_INDEX = "cds:data-index";
const MAX_ENTRIES = 120; // a phone's localStorage holds about 5 MB; old entries go first
const MAX_ENTRY_CHARS = 400_000;

function readIndex() {
  try {
    return JSON.parse(localStorage.getItem(DATA_INDEX)) || [];
  } catch {
    return [];
  }
}

export function remember(owner, path, data) {
  const text = JSON.stringify({ at: Date.now(), data });
  if (text.length > MAX_ENTRY_CHARS) return;
  const key = `${DATA_PREFIX}${owner}:${path}`;
  const index = readIndex().filter((entry) => entry !== key);
  index.push(key);
  while (index.length > MAX_ENTRIES) localStorage.removeItem(index.shift());
  for (;;) {
    try {
      localStorage.setItem(key, text);
      localStorage.setItem(DATA_INDEX, JSON.stringify(index));
      return;
    } catch {
      if (!index.length) return; // the storage is full of something else: keep nothing
      localStorage.removeItem(index.shift());
    }
  }
}

/** The last copy of `path` seen by `owner`: `{at, data}` or null. */
export function recall(owner, path) {
  try {
    return JSON.parse(localStorage.getItem(`${DATA_PREFIX}${owner}:${path}`));
  } catch {
    return null;
  }
}

/** Forget everything a signed-in citizen saw (sign-out, or another citizen signing in). */
export function forgetPersonalData() {
  for (const key of readIndex()) {
    if (!key.startsWith(`${DATA_PREFIX}anonymous:`)) localStorage.removeItem(key);
  }
  localStorage.setItem(
    DATA_INDEX,
    JSON.stringify(readIndex().filter((key) => key.startsWith(`${DATA_PREFIX}anonymous:`))),
  );
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("cds:")) sessionStorage.removeItem(key);
  }
}
