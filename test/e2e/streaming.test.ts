/**
 * Bodies stream through the gateway in both directions without buffering (200 MB each way), WebSocket upgrades
 * pass through, and request smuggling vectors are refused.
 */
import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const MANIFESTS =
  routeYaml({ namespace: "media", name: "files", host: "files.example.com", backends: [["store", 100]] }) +
  lbService("media", "store", "store");

const BIG = 200 * 1024 * 1024;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ backends: ["store"], manifests: MANIFESTS });
});
afterAll(async () => {
  await h?.stop();
});

const gatewayPort = () => Number(new URL(h.gateway.url).port);

describe("streaming", () => {
  it("streams a 200 MB upload to the backend byte for byte", async () => {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
    const expected = createHash("sha256");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: gatewayPort(),
          method: "POST",
          path: "/upload",
          headers: { Host: "files.example.com", "Content-Length": String(BIG) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG) {
          sent += chunk.length;
          expected.update(chunk);
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(200);
    const got = h.backends.store?.received.at(-1);
    expect(got?.bodyBytes).toBe(BIG);
    expect(got?.bodySha256).toBe(expected.digest("hex"));
  });

  it("streams a 200 MB download to the client", async () => {
    const { bytes, status } = await new Promise<{ bytes: number; status: number }>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: gatewayPort(), path: `/__bytes/${BIG}`, headers: { Host: "files.example.com" } },
        (res) => {
          let bytes = 0;
          res.on("data", (d: Buffer) => (bytes += d.length));
          res.on("end", () => resolve({ bytes, status: res.statusCode ?? 0 }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(bytes).toBe(BIG);
  });
});

/** One raw HTTP/1.1 exchange on a socket: what the gateway's listener answers, before any client library. */
function raw(text: string, waitFor: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(gatewayPort(), "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 5000);
    socket.on("data", (d: Buffer) => {
      received += d.toString("latin1");
      if (waitFor(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("error", reject);
    socket.write(text);
  });
}

describe("WebSocket and smuggling", () => {
  it("passes a WebSocket upgrade through and echoes frames both ways", async () => {
    const socket = connect(gatewayPort(), "127.0.0.1");
    const payload = Buffer.from("hello over the edge");
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
    const received = await new Promise<Buffer>((resolve, reject) => {
      let data = Buffer.alloc(0);
      let upgraded = false;
      socket.on("data", (d: Buffer) => {
        data = Buffer.concat([data, d]);
        const end = data.indexOf("\r\n\r\n");
        if (!upgraded && end >= 0) {
          upgraded = true;
          expect(data.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101/);
          data = data.subarray(end + 4);
          socket.write(frame);
        }
        if (upgraded && data.length >= 2 + payload.length) resolve(data);
      });
      socket.on("error", reject);
      socket.write(
        "GET /ws HTTP/1.1\r\nHost: files.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    socket.destroy();
    expect(received[0]).toBe(0x81);
    expect(received.subarray(2, 2 + payload.length).toString()).toBe("hello over the edge");
    expect(h.backends.store?.received.at(-1)?.headers.upgrade).toBe("websocket");
  });

  it("refuses an empty Content-Length without reaching the backend", async () => {
    const before = h.backends.store?.received.length;
    const answer = await raw("POST /x HTTP/1.1\r\nHost: files.example.com\r\nContent-Length:\r\n\r\n", (r) =>
      r.includes("\r\n\r\n"),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(h.backends.store?.received.length).toBe(before);
  });
});
