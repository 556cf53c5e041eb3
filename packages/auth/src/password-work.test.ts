import { describe, expect, it } from "vitest";
import { PasswordWorkQueue } from "./password-work";

/** Work that finishes when the test says so, recording the order it started in. */
function harness(queue: PasswordWorkQueue) {
  const started: string[] = [];
  const finishers: (() => void)[] = [];
  const submit = (requester: string, label: string) =>
    queue.run(requester, () => {
      started.push(label);
      return new Promise<string>((resolve) => finishers.push(() => resolve(label)));
    });
  const finishOldest = async () => {
    finishers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, submit, finishOldest };
}

describe("PasswordWorkQueue", () => {
  it("runs at most `concurrency` jobs at once", async () => {
    const { started, submit, finishOldest } = harness(new PasswordWorkQueue({ concurrency: 2, maxWaitingPerRequester: 10, maxWaiting: 10 }));
    const jobs = ["a1", "a2", "a3"].map((label) => submit("a", label));
    expect(started).toEqual(["a1", "a2"]);
    await finishOldest();
    expect(started).toEqual(["a1", "a2", "a3"]);
    await finishOldest();
    await finishOldest();
    expect(await Promise.all(jobs)).toEqual(["a1", "a2", "a3"]);
  });

  it("gives a newcomer the very next free slot, ahead of a flood from another address", async () => {
    const { started, submit, finishOldest } = harness(new PasswordWorkQueue({ concurrency: 2, maxWaitingPerRequester: 5, maxWaiting: 50 }));
    const flood = ["f1", "f2", "f3", "f4", "f5", "f6"].map((label) => submit("198.51.100.7", label));
    const user = submit("203.0.113.9", "user");
    expect(started).toEqual(["f1", "f2"]);
    await finishOldest();
    expect(started).toEqual(["f1", "f2", "user"]);
    for (let i = 0; i < 6; i++) await finishOldest();
    expect(started).toEqual(["f1", "f2", "user", "f3", "f4", "f5", "f6"]);
    await Promise.all([...flood, user]);
  });

  it("shares slots round-robin between addresses with as much running", async () => {
    const { started, submit, finishOldest } = harness(new PasswordWorkQueue({ concurrency: 1, maxWaitingPerRequester: 5, maxWaiting: 50 }));
    const jobs = [submit("a", "a1"), submit("a", "a2"), submit("a", "a3"), submit("b", "b1"), submit("b", "b2")];
    for (let i = 0; i < 5; i++) await finishOldest();
    expect(started).toEqual(["a1", "a2", "b1", "a3", "b2"]);
    await Promise.all(jobs);
  });

  it("refuses past the per-address bound with a 429 and past the global bound with a 503, at once", async () => {
    const queue = new PasswordWorkQueue({ concurrency: 1, maxWaitingPerRequester: 2, maxWaiting: 3 });
    const { submit } = harness(queue);
    void submit("a", "running");
    void submit("a", "waiting 1");
    void submit("a", "waiting 2");
    await expect(submit("a", "refused")).rejects.toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 1 });
    void submit("b", "waiting 3");
    await expect(submit("c", "refused")).rejects.toMatchObject({ code: "unavailable", status: 503, retryAfterSeconds: 2 });
  });

  it("lets internal work queue past the per-address bound, never past the global one", async () => {
    const { submit } = harness(new PasswordWorkQueue({ concurrency: 1, maxWaitingPerRequester: 1, maxWaiting: 3 }));
    for (let i = 0; i < 4; i++) void submit("internal", `job ${i}`);
    await expect(submit("internal", "refused")).rejects.toMatchObject({ code: "unavailable" });
  });

  it("passes a failure through and frees the slot", async () => {
    const queue = new PasswordWorkQueue({ concurrency: 1, maxWaitingPerRequester: 2, maxWaiting: 2 });
    await expect(queue.run("a", () => Promise.reject(new Error("argon2 broke")))).rejects.toThrow("argon2 broke");
    expect(await queue.run("a", async () => "next")).toBe("next");
  });
});
