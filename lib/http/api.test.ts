import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { apiError, apiJson, handleApi, rateLimited } from "./api";

describe("apiError", () => {
  it("maps an AppError to its status and the error shape, with field errors", async () => {
    const response = apiError(new AppError("BAD_REQUEST", "Check the identifier.", { fields: { npi: ["bad"] } }), "r1");
    expect(response.status).toBe(400);
    expect(response.headers.get("x-request-id")).toBe("r1");
    expect(await response.json()).toEqual({
      error: { code: "BAD_REQUEST", message: "Check the identifier.", fields: { npi: ["bad"] } },
    });
  });

  it("omits fields when there are none", async () => {
    const response = apiError(new AppError("NOT_FOUND", "Nope."), "r2");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: "Nope." } });
  });

  it("adds Retry-After to a rate-limit refusal", async () => {
    const response = apiError(rateLimited("Slow down.", 17), "r3");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("17");
    expect((await response.json()).error.code).toBe("RATE_LIMITED");
  });

  it("never shows an unexpected error's message", async () => {
    const response = apiError(new Error("password=hunter2 at db.ts:12"), "r4");
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body.error.code).toBe("INTERNAL");
    expect(body.error.message).not.toContain("hunter2");
    expect(body.error.message).toContain("r4");
  });
});

describe("database outages", () => {
  it("answers 503 UNAVAILABLE with Retry-After for connection errors in the shapes pg, the adapter and Prisma use", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED" });
    const cases: unknown[] = [
      refused,
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      Object.assign(new Error("the database system is starting up"), { code: "57P03" }),
      Object.assign(new Error("x"), { code: "08006" }),
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("wrapped"), { cause: refused }),
      Object.assign(new Error("callback"), { cause: { err: refused } }),
    ];
    for (const error of cases) {
      const response = apiError(error, "r5");
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("30");
      expect((await response.json()).error.code).toBe("UNAVAILABLE");
    }
    expect(apiError(Object.assign(new Error("syntax"), { code: "42601" }), "r6").status).toBe(500);
  });
});

describe("handleApi", () => {
  it("refuses a hostile query or path with 400 naming it, before the handler runs", async () => {
    let ran = false;
    const run = async (id: string) => {
      ran = true;
      return apiJson({}, { requestId: id });
    };
    const query = await handleApi(new Request("http://x/api/v1/a?status=%00"), run);
    expect(query.status).toBe(400);
    expect((await query.json()).error.fields).toHaveProperty(["?status"]);
    const path = await handleApi(new Request("http://x/api/v1/a/%ED%A0%80"), run);
    expect(path.status).toBe(400);
    expect(ran).toBe(false);
  });

  it("uses the request's id and turns thrown errors into responses", async () => {
    const request = new Request("http://x/api", { headers: { "x-request-id": "abc" } });
    const ok = await handleApi(request, async (id) => apiJson({ id }, { requestId: id }));
    expect(await ok.json()).toEqual({ id: "abc" });
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const failed = await handleApi(request, async () => {
      throw new AppError("FORBIDDEN", "No.");
    });
    expect(failed.status).toBe(403);
    expect(failed.headers.get("x-request-id")).toBe("abc");
  });
});
