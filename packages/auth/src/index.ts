export * from "./roles";
export * from "./password";
export * from "./tokens";
export * from "./throttle";
export * from "./identity";
export * from "./api-keys";
