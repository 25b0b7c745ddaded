// The one way screens talk to the API: tokens attached and refreshed once, problem+json turned
// into an ApiError with the API's Vietnamese message and its field errors, and the last copy of
// each GET kept so that the front end still shows it offline. Screens never call fetch()
// themselves. Each front end names its session once (useSession): the citizen's, or staff's.

import { remember, recall } from "./store.js";

const signedOut = { isSignedIn: () => false, accessToken: () => null, owner: () => "anonymous", refresh: async () => false };
let auth = signedOut;

/** The session (session.js) whose tokens requests carry. */
export function useSession(session) {
  auth = session;
}

const OFFLINE_DETAIL =
  "Không có kết nối mạng. Hãy kiểm tra Wi-Fi hoặc dữ liệu di động rồi thử lại.";

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || "Đã có lỗi xảy ra. Vui lòng thử lại.");
    this.status = status;
    this.code = problem.code || (status ? `http_${status}` : "offline");
    this.title = problem.title || "";
    this.problem = problem;
    this.requestId = problem.request_id || null;
    /** {field path: [messages]} from the problem's `errors` list. */
    this.fieldErrors = Object.fromEntries((problem.errors || []).map((e) => [e.field, e.messages]));
  }

  get offline() {
    return this.code === "offline";
  }
}

const listeners = new Set();
/** Called with (online: boolean) whenever a request finds the network there or gone. */
export function onConnectivity(listener) {
  listeners.add(listener);
}
function connectivity(online) {
  for (const listener of listeners) listener(online);
}

/**
 * fetch() with the citizen's token, refreshed once when the API refuses it. A network failure
 * becomes ApiError "offline" (and the offline banner); an HTTP answer is returned as it is.
 */
async function send(path, init, useAuth) {
  const attempt = (token) =>
    fetch(path, { ...init, headers: token ? { ...init.headers, Authorization: `Bearer ${token}` } : init.headers, cache: "no-store" });
  let response;
  try {
    const token = useAuth ? auth.accessToken() : null;
    response = await attempt(token);
    if (response.status === 401 && token && (await auth.refresh(token))) response = await attempt(auth.accessToken());
  } catch (error) {
    if (error.name === "AbortError") throw error;
    connectivity(false);
    throw new ApiError(0, { code: "offline", detail: OFFLINE_DETAIL });
  }
  connectivity(true);
  return response;
}

/** The ApiError for a refused request; a refused token means the citizen is signed out. */
async function refusal(response, useAuth) {
  if (response.status === 401 && useAuth) window.dispatchEvent(new CustomEvent("cds:signed-out"));
  const type = response.headers.get("Content-Type") || "";
  const error = new ApiError(response.status, type.includes("json") ? await response.json().catch(() => ({})) : {});
  error.retryAfter = Number(response.headers.get("Retry-After")) || null;
  return error;
}

/**
 * A request to the API. Returns `{data, headers, status, stale}`.
 * options: method, body (object → JSON, FormData → multipart), headers, signal,
 * remember (GETs default to true: kept for offline use), auth (default: when signed in).
 */
export async function request(path, options = {}) {
  const method = (options.method || "GET").toUpperCase();
  const keep = options.remember ?? method === "GET";
  const headers = { Accept: "application/json, application/problem+json", ...(options.headers || {}) };
  let body = options.body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  const useAuth = options.auth ?? auth.isSignedIn();
  let response;
  try {
    response = await send(path, { method, body, signal: options.signal, headers }, useAuth);
  } catch (error) {
    const kept = error.offline && keep ? recall(auth.owner(), path) : null;
    if (kept) return { data: kept.data, headers: new Headers(), status: 200, stale: true, at: kept.at };
    throw error;
  }
  if (!response.ok) throw await refusal(response, useAuth);
  const type = response.headers.get("Content-Type") || "";
  const data = response.status === 204 ? null : type.includes("json") ? await response.json().catch(() => null) : null;
  if (keep) remember(auth.owner(), path, data);
  return { data, headers: response.headers, status: response.status, stale: false };
}

export const get = async (path, options) => (await request(path, options)).data;
export const post = async (path, body, options = {}) => (await request(path, { ...options, method: "POST", body })).data;
export const put = async (path, body, options = {}) => (await request(path, { ...options, method: "PUT", body })).data;
export const patch = async (path, body, options = {}) => (await request(path, { ...options, method: "PATCH", body })).data;
export const del = async (path, options = {}) => (await request(path, { ...options, method: "DELETE" })).data;

/** The API's X-Pagination header (page, total_pages, next_page…), or null without one. */
export function pageInfo(headers) {
  try {
    return JSON.parse(headers.get("X-Pagination") || "null");
  } catch {
    return null;
  }
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A fresh Idempotency-Key: one per press of a "Pay" button, reused if that press is retried. */
export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** An authenticated file (evidence photo, document) as an object URL for <img> or a download. */
export async function blobUrl(path) {
  const useAuth = auth.isSignedIn();
  const response = await send(path, { headers: {} }, useAuth);
  if (!response.ok) throw await refusal(response, useAuth);
  return URL.createObjectURL(await response.blob());
}

/**
 * An open streaming response (server-sent events) for the caller to read from `response.body`;
 * a refusal is an ApiError with `retryAfter` (seconds) when the API said when to come back.
 * EventSource cannot send the Authorization header, hence fetch.
 */
export async function stream(path, options = {}) {
  const headers = { Accept: "text/event-stream, application/problem+json", ...(options.headers || {}) };
  const useAuth = options.auth ?? auth.isSignedIn();
  const response = await send(path, { signal: options.signal, headers }, useAuth);
  if (!response.ok) throw await refusal(response, useAuth);
  return response;
}
