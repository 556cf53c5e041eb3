import { AppError } from "@alfred/core";

/**
 * Reads a request body once, refusing it (413) as soon as it exceeds `maxBytes`: by the declared
 * Content-Length up front, and while streaming for a chunked body that declares none, so an
 * oversized body is never buffered whole.
 */
export async function readBodyLimited(request: Request, maxBytes: number, message: string): Promise<Buffer> {
  const tooLarge = () => new AppError("payload_too_large", message);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
