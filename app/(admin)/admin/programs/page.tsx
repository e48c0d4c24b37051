import type { Metadata } from "next";
import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramDefinitions } from "@/lib/programs/registry";
import { programKey } from "@/lib/programs/view";

export const metadata: Metadata = { title: "Programmes" };

export default async function ProgramsPage() {
  await requirePagePermission("program:manage:any", "/admin/programs");
  const programs = listProgramDefinitions();
  return (
    <>
      <h1>Programmes</h1>
      <p>The requirements the registry enforces, as each programme's active definition states them.</p>
      <table>
        <caption className="muted" style={{ textAlign: "left" }}>
          Programmes the registry runs
        </caption>
        <thead>
          <tr>
            <th scope="col">Programme</th>
            <th scope="col">Drug</th>
            <th scope="col">Definition version</th>
          </tr>
        </thead>
        <tbody>
          {programs.map((p) => (
            <tr key={p.code}>
              <td>
                <Link href={`/admin/programs/${programKey(p.code)}`}>{p.name}</Link>
              </td>
              <td>
                {p.drug.name} ({p.drug.genericName})
              </td>
              <td>{p.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
