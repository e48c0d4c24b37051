import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PrintButton } from "@/components/programs/print-button";
import { ProgramDefinitionView } from "@/components/programs/program-definition";
import { requirePagePermission } from "@/lib/auth/session";
import { MAX_DISCRETION_DAYS } from "@/lib/dispensing/discretion";
import { formatDateTime } from "@/lib/format";
import { listProgramDefinitions } from "@/lib/programs/registry";
import { programKey } from "@/lib/programs/view";

export const metadata: Metadata = { title: "Programme" };

type Props = { params: Promise<{ key: string }> };

export default async function ProgramPage({ params }: Props) {
  const { key } = await params;
  await requirePagePermission("program:manage:any", `/admin/programs/${encodeURIComponent(key)}`);
  const program = listProgramDefinitions().find((p) => programKey(p.code) === key);
  if (!program) notFound();
  return (
    <>
      <p>
        <Link href="/admin/programs">Programmes</Link>
      </p>
      <h1>{program.name}</h1>
      <p>
        Active definition, version {program.version}. Printed {formatDateTime(new Date())}. <PrintButton />
      </p>
      <ProgramDefinitionView program={program} maxDiscretionDays={MAX_DISCRETION_DAYS} />
    </>
  );
}
