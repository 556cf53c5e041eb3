export * from "./inbox-volume";
export * from "./plans";
