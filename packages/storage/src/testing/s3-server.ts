import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import S3rver from "s3rver";
import { verifySigV4 } from "./sigv4-verifier";

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Requests refused for their signature, with the reason. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * A local S3-compatible server for tests: s3rver (a real implementation of the S3 REST API) behind
 * a Signature V4 check of every request (s3rver itself does not check V4 signatures), on loopback.
 */
export async function startLocalS3(directory: string, bucket = "alfred-test"): Promise<LocalS3> {
  const accessKeyId = "S3RVER";
  const secretAccessKey = "S3RVER";
  const s3 = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  await s3.configureBuckets();
  const handle = s3.callback();
  const refused: string[] = [];
  const server: Server = createServer((req, res) => {
    const problem = verifySigV4({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers }, new Map([[accessKeyId, secretAccessKey]]));
    if (problem) {
      refused.push(problem);
      res.writeHead(403, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`);
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
