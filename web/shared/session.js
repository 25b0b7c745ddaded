// A signed-in session of the API's tokens, kept on the device: the one token handling of both
// front ends (the citizen app's VNeID session, the staff workspace's password session).
//
// The pair is kept under its front end's key, so that a reload and a second tab stay signed in.
// Refresh tokens rotate and a retired one presented again ends the session, so two tabs must never
// refresh with the same one: the Web Lock serialises refreshes, and a tab that finds the pair
// already replaced by another tab simply uses the new one. Which pair is current is decided by
// IndexedDB, read inside the lock: Chromium propagates another tab's localStorage writes to this
// tab asynchronously, so a tab reading localStorage there could still see the retired pair and
// replay it (the session revoked: both tabs signed out). localStorage keeps a copy for the
// synchronous questions (signed in? which token?) screens ask between refreshes.

const DATABASE = "cds-session";
const STORE = "pairs";

function database() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

/** Read (value undefined), write or delete (value null) one pair, in one transaction. */
async function stored(key, value) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, value === undefined ? "readonly" : "readwrite");
      const store = transaction.objectStore(STORE);
      const request = value === undefined ? store.get(key) : value === null ? store.delete(key) : store.put(value, key);
      transaction.oncomplete = () => resolve(request.result ?? null);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export function createSession(storageKey, { onForget = () => {} } = {}) {
  const lockName = `${storageKey}:refresh`;

  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(storageKey)) || null;
    } catch {
      return null;
    }
  };

  const claimsOf = (token) => {
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(payload))));
    } catch {
      return null;
    }
  };

  const subjectOf = (pair) => (pair?.access_token ? claimsOf(pair.access_token)?.sub || null : null);

  const forget = async () => {
    localStorage.removeItem(storageKey);
    await stored(storageKey, null).catch(() => null);
    onForget();
  };

  const keep = async (pair) => {
    localStorage.setItem(storageKey, JSON.stringify(pair));
    await stored(storageKey, pair);
  };

  /** A new pair for a refused access token; false when the session is over. */
  async function refresh(refusedAccessToken) {
    const run = async () => {
      // The current pair as the last tab to refresh left it (see the top of this file).
      const current = (await stored(storageKey).catch(() => null)) || read();
      if (!current?.refresh_token) return false;
      if (current.access_token !== refusedAccessToken) {
        localStorage.setItem(storageKey, JSON.stringify(current)); // another tab already did it
        return true;
      }
      const response = await fetch("/auth/refresh", {
        method: "POST",
        headers: { Authorization: `Bearer ${current.refresh_token}`, Accept: "application/json" },
      });
      if (response.ok) {
        await keep(await response.json());
        return true;
      }
      if (response.status === 401 || response.status === 422) {
        await forget();
        return false;
      }
      throw new Error("Không làm mới được phiên đăng nhập. Vui lòng thử lại.");
    };
    return navigator.locks ? navigator.locks.request(lockName, run) : run();
  }

  return {
    refresh,
    /** Keep a new pair (after sign-in); another person's pair first forgets the previous one's data. */
    async store(pair) {
      const previous = subjectOf(read());
      if (previous && previous !== subjectOf(pair)) onForget();
      await keep(pair);
    },
    isSignedIn: () => Boolean(read()?.refresh_token),
    accessToken: () => read()?.access_token || null,
    /** Whose data is shown: the token's subject, or "anonymous". */
    owner: () => subjectOf(read()) || "anonymous",
    claims: () => claimsOf(read()?.access_token || "") || {},

    /** Sign out: the API ends the session (its tokens stop working at once), the device forgets.
     *  An expired access token is refreshed first: a logout refused as expired would leave the
     *  session, and its refresh token, alive at the API. */
    async signOut() {
      const logout = (token) =>
        fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
      const token = read()?.access_token;
      if (token) {
        const answer = await logout(token);
        if (answer?.status === 401 && (await refresh(token).catch(() => false))) await logout(read().access_token);
      }
      await forget();
    },
  };
}
