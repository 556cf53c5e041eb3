export * from "./fake-graph-api";
export * from "./fake-smtp-server";
export * from "./tls-identity";
