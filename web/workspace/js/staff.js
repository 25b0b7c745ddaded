// Who is signed in to the workspace: the staff session (web/shared/session.js, its own storage
// key, so a citizen session in the same browser is another matter), and the person's name, role
// and unit from GET /auth/whoami, asked once per sign-in.

import * as api from "../../shared/api.js";
import { createSession } from "../../shared/session.js";
import { forgetPersonalData } from "../../shared/store.js";

export const session = createSession("cds:staff-auth", { onForget: forgetPersonalData });

export const ROLE_NAMES = {
  officer: "Cán bộ một cửa",
  police: "Công an",
  comms: "Truyền thông",
  agent: "Tổng đài viên",
  leader: "Lãnh đạo",
  admin: "Quản trị",
};

let cached = null;

/** {id, role, display_name, ward_code, ward_name} of the signed-in staff member. */
export function me() {
  cached ||= api.get("/auth/whoami", { remember: false }).catch((error) => {
    cached = null;
    throw error;
  });
  return cached;
}

export function forgetMe() {
  cached = null;
}

export async function hasRole(...roles) {
  return roles.includes((await me()).role);
}

/** Password sign-in (and the TOTP code when the account has two-factor on). */
export async function signIn(username, password, totp) {
  const body = { username, password };
  if (totp) body.totp = totp;
  const pair = await api.post("/auth/staff/login", body, { auth: false, remember: false });
  await session.store(pair);
  forgetMe();
  return me();
}
