// Every screen module of the app; each exports `routes` (see router.js).
export * as home from "./home.js";
export * as profile from "./profile.js";
export * as services from "./services.js";
export * as essential from "./essential.js";
export * as dossiers from "./dossiers.js";
export * as fines from "./fines.js";
export * as payments from "./payments.js";
export * as reports from "./reports.js";
export * as records from "./records.js";
export * as benefits from "./benefits.js";
export * as inbox from "./inbox.js";
export * as articles from "./articles.js";
export * as products from "./products.js";
export * as chat from "./chat.js";
