export * from "./hostile-hosts";
export * from "./resolver";
export * from "./trap";
export * from "./allowlist";
