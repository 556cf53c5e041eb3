export * from "./errors";
export * from "./correlation";
export * from "./logger";
export * from "./redis";
export * from "./env";
export * from "./secrets/keyring";
export * from "./storable-text";
export * from "./instant";
