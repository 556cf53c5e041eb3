export * from "./scope";
export * from "./channels";
export * from "./ingest";
export * from "./conversations";
export * from "./messages";
export * from "./contacts";
export * from "./tasks";
export * from "./notifications";
