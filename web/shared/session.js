// A signed-in session of the API's tokens, kept on the device: the one token handling of both
// front ends (the citizen app's VNeID session, the staff workspace's password session).
//
// The pair is kept in localStorage under its front end's key, so that a reload and a second tab
// stay signed in. Refresh tokens rotate and a retired one presented again ends the session, so
// two tabs must never refresh at once: the Web Lock serialises them, and a tab that finds the
// pair already replaced by another tab simply uses the new one.

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

  const forget = () => {
    localStorage.removeItem(storageKey);
    onForget();
  };

  return {
    /** Keep a new pair (after sign-in); another person's pair first forgets the previous one's data. */
    store(pair) {
      const previous = subjectOf(read());
      if (previous && previous !== subjectOf(pair)) onForget();
      localStorage.setItem(storageKey, JSON.stringify(pair));
    },
    isSignedIn: () => Boolean(read()?.refresh_token),
    accessToken: () => read()?.access_token || null,
    /** Whose data is shown: the token's subject, or "anonymous". */
    owner: () => subjectOf(read()) || "anonymous",
    claims: () => claimsOf(read()?.access_token || "") || {},

    /** A new pair for a refused access token; false when the session is over. */
    async refresh(refusedAccessToken) {
      const run = async () => {
        const current = read();
        if (!current?.refresh_token) return false;
        if (current.access_token !== refusedAccessToken) return true; // another tab already did it
        const response = await fetch("/auth/refresh", {
          method: "POST",
          headers: { Authorization: `Bearer ${current.refresh_token}`, Accept: "application/json" },
        });
        if (response.ok) {
          localStorage.setItem(storageKey, JSON.stringify(await response.json()));
          return true;
        }
        if (response.status === 401 || response.status === 422) {
          forget();
          return false;
        }
        throw new Error("Không làm mới được phiên đăng nhập. Vui lòng thử lại.");
      };
      return navigator.locks ? navigator.locks.request(lockName, run) : run();
    },

    /** Sign out: the API ends the session (its tokens stop working at once), the device forgets. */
    async signOut() {
      const token = read()?.access_token;
      if (token) {
        await fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
      }
      forget();
    },
  };
}
