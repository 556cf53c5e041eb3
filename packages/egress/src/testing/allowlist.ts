import { parseSsrfAllowlist, type SsrfAllowlist } from "../allowlist";

/** An allow-list naming exactly the host:port of each URL (a test's fake providers), nothing else. */
export function allowlistFor(...urls: string[]): SsrfAllowlist {
  return parseSsrfAllowlist(urls.map((url) => new URL(url).host).join(","));
}
