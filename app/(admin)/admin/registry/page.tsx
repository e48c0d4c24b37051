import type { Metadata } from "next";
import Link from "next/link";
import { RegistryNav } from "@/components/registry/registry-nav";
import { requirePagePermission } from "@/lib/auth/session";
import { REGISTRY_LIST_LABELS } from "@/lib/format";
import { REGISTRY_KINDS, type RegistryKind } from "@/lib/registry/rules";

export const metadata: Metadata = { title: "Registry" };

const DESCRIPTIONS: Record<RegistryKind, string> = {
  prescribers: "Certified and applying prescribers, by name, NPI or certification number.",
  pharmacies: "Pharmacies, by name, city, REMS id, NCPDP id or NPI.",
  settings: "Healthcare settings where infusions are given, by name, city, REMS id or NPI.",
  patients: "Enrolled patients, by name or REMS id; filter by prescriber or healthcare setting.",
};

export default async function RegistryPage() {
  await requirePagePermission("enrollment:read:any", "/admin/registry");
  return (
    <>
      <h1>Registry</h1>
      <p>Every stakeholder of every programme, with its whole history.</p>
      <RegistryNav />
      <ul>
        {REGISTRY_KINDS.map((kind) => (
          <li key={kind}>
            <Link href={`/admin/registry/${kind}`}>{REGISTRY_LIST_LABELS[kind]}</Link>: {DESCRIPTIONS[kind]}
          </li>
        ))}
      </ul>
    </>
  );
}
