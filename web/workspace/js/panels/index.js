// Every panel module of the workspace, in the order of the navigation: each role opens on the
// first entry it may see, so a role's own work comes before what several roles share (the call
// centre's figures a leader may read, the announcements everyone has). Each module exports
// `routes` (see web/shared/router.js) with the roles that may open them, and may export
// `onSignedIn(who)` / `onSignedOut()` to put something in the chrome.
import * as admin from "./admin.js";
import * as desk from "./desk.js";
import * as police from "./police.js";
import * as leader from "./leader.js";
import * as agent from "./agent.js";
import * as comms from "./comms.js";
import * as announcements from "./announcements.js";

export const PANELS = [admin, desk, police, leader, agent, comms, announcements];
