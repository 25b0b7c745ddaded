// Every panel module of the workspace; each exports `routes` (see web/shared/router.js), with the
// roles that may open them.
export * as desk from "./desk.js";
export * as police from "./police.js";
export * as admin from "./admin.js";
