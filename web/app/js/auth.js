// Signing in with VNeID through the API, and keeping the citizen signed in.
//
// The app starts the API's VNeID flow with a PKCE challenge of its own and a registered
// redirect URI (/app/signed-in). VNeID sends the browser back to the API, which sends it on to
// that page with a one-time code; the app exchanges the code and its PKCE verifier for the
// token pair. No token ever travels in a URL.

import { createSession } from "../../shared/session.js";
import { forgetPersonalData } from "../../shared/store.js";

const PENDING_KEY = "cds:sign-in"; // the verifier and state of the attempt under way (this tab)
let config = null;

/** The citizen's session: tokens, one refresh at a time across tabs, sign-out. */
export const session = createSession("cds:auth", { onForget: forgetPersonalData });
export const { isSignedIn, accessToken, owner, refresh, signOut } = session;

export function configure(appConfig) {
  config = appConfig;
}

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function redirectUri() {
  return config?.sign_in_redirect_uri || `${location.origin}/app/signed-in`;
}

/** Whether this page can complete a sign-in: the redirect comes back to this origin only. */
export function canSignInHere() {
  return new URL(redirectUri()).origin === location.origin && Boolean(crypto?.subtle);
}

export async function startSignIn(returnTo = "/app/") {
  const verifier = randomString(48);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    redirect_uri: redirectUri(),
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  location.assign(`/auth/vneid/login?${query}`);
}

export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** On /app/signed-in: exchange the one-time code; returns where the citizen was going. */
export async function finishSignIn(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  if (params.get("error")) {
    throw new SignInError(params.get("error"), params.get("error_description") || "Đăng nhập không thành công.");
  }
  if (!pending || pending.state !== params.get("state") || !params.get("code")) {
    throw new SignInError(
      "sign_in_state_mismatch",
      "Phiên đăng nhập không khớp hoặc đã hết hạn (có thể do mở ở thẻ khác). Vui lòng đăng nhập lại.",
    );
  }
  const response = await fetch("/auth/app/token", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ code: params.get("code"), code_verifier: pending.verifier, redirect_uri: redirectUri() }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new SignInError(body.code || "sign_in_failed", body.detail || "Đăng nhập không thành công. Vui lòng thử lại.");
  }
  await session.store(body);
  return pending.returnTo || "/app/";
}
