import { describe, expect, it } from "vitest";
import { ZAdministratorRequest } from "./schema";

describe("ZAdministratorRequest", () => {
  it("asks for the person's address, not the requester's, and names each missing field", () => {
    const result = ZAdministratorRequest.safeParse({ name: " ", email: "", reason: "" });
    expect(result.success).toBe(false);
    const fields = result.error?.flatten().fieldErrors;
    expect(fields?.name).toEqual(["Enter the person's full name"]);
    expect(fields?.email).toEqual(["Enter the person's e-mail address"]);
    expect(fields?.reason).toEqual(["Give a reason"]);
    expect(ZAdministratorRequest.safeParse({ name: "A", reason: "r" }).error?.flatten().fieldErrors.email).toEqual([
      "Enter the person's e-mail address",
    ]);
  });

  it("lower-cases a valid address", () => {
    const result = ZAdministratorRequest.parse({ name: "Ana Admin", email: " Ana@Example.ORG ", reason: "Cover" });
    expect(result.email).toBe("ana@example.org");
  });
});
